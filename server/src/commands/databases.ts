import type { CommandSpec } from '../command.js';

export const databaseCommands: CommandSpec[] = [];
