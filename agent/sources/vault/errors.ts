// The Vault source's errors are defined in the agent's registry (agent/errors.ts); re-exported
// here so the Vault source imports them from next door.

export { vaultErrors } from '../../errors';
