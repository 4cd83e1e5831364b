import type { CommandSpec } from '../command.js';

export const scanCommands: CommandSpec[] = [];
