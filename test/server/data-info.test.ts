// INFO as Redis 7.0.15 formats it: its default sections in its order, and in each the fields tools read
// (names as Redis prints them; values Strata cannot have, such as forks or replicas, are Redis's idle values).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile } from './support/server.js';

const shared = serverForFile();

/** Sections as Redis 7.0.15's INFO (default) lists them, with fields it prints in each, in order. */
const REDIS_SECTIONS: Array<[string, string[]]> = [
  ['Server', ['redis_version', 'redis_build_id', 'redis_mode', 'os', 'arch_bits', 'monotonic_clock', 'multiplexing_api',
    'process_id', 'run_id', 'tcp_port', 'server_time_usec', 'uptime_in_seconds', 'hz', 'lru_clock', 'executable',
    'config_file', 'io_threads_active']],
  ['Clients', ['connected_clients', 'maxclients', 'client_recent_max_input_buffer', 'client_recent_max_output_buffer',
    'blocked_clients']],
  ['Memory', ['used_memory', 'used_memory_human', 'used_memory_rss', 'used_memory_peak', 'used_memory_peak_human',
    'total_system_memory', 'maxmemory', 'maxmemory_policy', 'mem_fragmentation_ratio', 'mem_allocator']],
  ['Persistence', ['loading', 'rdb_changes_since_last_save', 'rdb_last_save_time', 'rdb_last_bgsave_status',
    'rdb_last_bgsave_time_sec', 'aof_enabled', 'aof_rewrite_in_progress', 'aof_last_bgrewrite_status',
    'aof_last_write_status']],
  ['Stats', ['total_connections_received', 'total_commands_processed', 'instantaneous_ops_per_sec', 'rejected_connections',
    'expired_keys', 'evicted_keys', 'keyspace_hits', 'keyspace_misses', 'pubsub_channels', 'total_forks', 'total_error_replies']],
  ['Replication', ['role', 'connected_slaves', 'master_failover_state', 'master_replid', 'master_repl_offset',
    'repl_backlog_active']],
  ['CPU', ['used_cpu_sys', 'used_cpu_user', 'used_cpu_sys_children', 'used_cpu_user_children']],
  ['Modules', []],
  ['Errorstats', []],
  ['Cluster', ['cluster_enabled']],
  ['Keyspace', ['db0']],
];

test('INFO lists Redis 7.0.15 default sections in its order, each with the fields Redis prints, in order', async () => {
  await shared.c.call('SET', 'k', 'v');
  const text = (await shared.c.call('INFO')) as string;
  const sections = text.split('\r\n\r\n').map((block) => block.split('\r\n').filter((l) => l !== ''));
  assert.deepEqual(sections.map((lines) => lines[0]), REDIS_SECTIONS.map(([title]) => `# ${title}`));
  for (const [i, [title, fields]] of REDIS_SECTIONS.entries()) {
    const names = sections[i]!.slice(1).map((line) => line.slice(0, line.indexOf(':')));
    assert.deepEqual(names.filter((n) => fields.includes(n)), fields, `section ${title}`);
  }
  assert.match(text, /\r\nrun_id:[0-9a-f]{40}\r\n/);
  assert.match(text, /\r\nmaster_replid:[0-9a-f]{40}\r\n/);
  assert.match(text, /\r\nlru_clock:\d+\r\n/);
  assert.match(text, /\r\ncluster_enabled:0\r\n/);
});

test('INFO picks sections by name in Redis order, ignoring unknown ones', async () => {
  const text = (await shared.c.call('INFO', 'cluster', 'nosuch', 'SERVER')) as string;
  assert.match(text, /^# Server\r\n.*\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n$/s);
  assert.equal(await shared.c.call('INFO', 'modules'), '# Modules\r\n');
});
