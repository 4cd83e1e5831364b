#!/usr/bin/env node
// strata-server: `strata-server [config-file] [--port N] [--dir D] ... [--any-redis-directive value ...]`.
// As with redis-server, the config file is read first and command-line arguments win over it; besides the
// options listed in --help, any config parameter can be given as `--name value` (e.g. `--protected-mode no`).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { applyDirective, ConfigError, defaultConfig, parseConfigText, type ServerConfig } from './config.js';
import { createLog } from './log.js';
import { Server } from './server.js';

const VERSION = '7.0.15';

function parseArguments(argv: string[]): ServerConfig {
  const defaults = defaultConfig();
  const program = new Command('strata-server')
    .description('A Redis-protocol server on the Strata LSM engine')
    .version(VERSION, '-v, --version')
    .argument('[config]', 'configuration file in redis.conf syntax')
    .option('--port <port>', 'TCP port (0 picks a free one)', String(defaults.port))
    .option('--bind <addresses>', 'addresses to listen on, space separated', defaults.bind.join(' '))
    .option('--dir <dir>', 'data directory', defaults.dir)
    .addOption(
      new Option('--appendfsync <policy>', 'when writes are durable')
        .choices(['always', 'everysec', 'no'])
        .default(defaults.appendfsync),
    )
    .option('--requirepass <password>', 'password clients must AUTH with')
    .option('--maxclients <n>', 'maximum number of connected clients', String(defaults.maxclients))
    .option('--databases <n>', 'number of databases', String(defaults.databases))
    .addOption(
      new Option('--loglevel <level>', 'log verbosity')
        .choices(['debug', 'verbose', 'notice', 'warning'])
        .default(defaults.loglevel),
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });

  const config = defaults;
  const [first, ...rest] = program.args;
  const file = first !== undefined && !first.startsWith('--') ? first : undefined;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`Fatal error, can't open config file '${file}': ${(err as Error).message}`);
    }
    parseConfigText(config, text);
    config.configFile = resolve(file);
  }
  // Redis-style `--name value [value ...]` directives that commander does not know.
  const extra = file === undefined ? program.args : rest;
  for (let i = 0; i < extra.length; ) {
    const name = extra[i]!;
    if (!name.startsWith('--')) throw new ConfigError(`Unexpected argument '${name}'`);
    let end = i + 1;
    while (end < extra.length && !extra[end]!.startsWith('--')) end++;
    applyArgument(config, name.slice(2), extra.slice(i + 1, end));
    i = end;
  }
  // Options given explicitly on the command line (not commander's defaults) override the file.
  for (const [key, value] of Object.entries(program.opts<Record<string, string>>())) {
    if (program.getOptionValueSource(key) === 'cli') applyArgument(config, key, [value]);
  }
  return config;
}

function applyArgument(config: ServerConfig, name: string, args: string[]): void {
  try {
    applyDirective(config, name, args);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(`Reading the command line\n>>> '--${name} ${args.join(' ')}'\n${err.message}`);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = parseArguments(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Strata, Redis ${VERSION} compatible) ***\n${err.message}\n`);
    process.exit(1);
  }
  const log = createLog(config);
  log('warning', 'oO0OoO0OoO0Oo Strata is starting oO0OoO0OoO0Oo');
  log('warning', `Strata version=${VERSION}, pid=${process.pid}, just started`);
  let server: Server;
  try {
    server = await Server.start(config, log);
  } catch (err) {
    log('warning', `Failed to start: ${(err as Error).message}`);
    process.exit(1);
  }
  const stop = (signal: string): void => {
    log('warning', `Received ${signal} scheduling shutdown...`);
    void server.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const code = await server.closed;
  process.exit(code);
}

await main();
