import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { main } from '../bot/main.ts';

/**
 * `npm run demo`: the service on localhost with the embedded database and demo data. Without REDIS_URL it
 * starts a private redis-server (no persistence, `noeviction`) if one is installed, and stops it on exit.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startPrivateRedis(): Promise<ChildProcess | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.warn(
      '\n  redis-server is not installed, so reminders and SLA timers will not run in this demo.\n' +
        '  Install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL=redis://host:6379.\n',
    );
    return undefined;
  }
  const port = await freePort();
  const dir = './data/redis';
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  const stop = () => child.kill('SIGTERM');
  process.on('exit', stop);
  // Wait until it accepts connections.
  for (let i = 0; i < 50; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .includes('PONG')
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`  Private Redis for the demo on port ${port} (stopped on exit).`);
  return child;
}

if (!process.env.REDIS_URL) await startPrivateRedis();
await main();
