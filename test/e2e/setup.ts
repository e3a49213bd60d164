// A test that fails or times out while its hush still runs must not leave a container behind
// (killing hush kills the container: its init has a parent-death signal).
import { afterEach } from 'vitest';
import { killLeftovers } from './helpers';

afterEach(() => killLeftovers());
