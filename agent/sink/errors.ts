// The sink's errors are defined in the agent's registry (agent/errors.ts); re-exported here so
// the sink imports them from next door.

export { sinkErrors } from '../errors';
