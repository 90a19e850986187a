import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeTelegram, type Fault } from '../test/support/fake-telegram.ts';

/**
 * The fake Bot API in a process of its own, so that the arrival times it records are not bunched up by the
 * event loop of the process under test (workers, database): it is then a fair stand-in for Telegram's own
 * counting. Parent side: `RemoteFakeTelegram.start()`; child side: this file run with `--import tsx`.
 */
type Report = { sendTimes: number[]; okChatIds: string[]; rateLimited: number };
type FromChild = { type: 'ready'; apiRoot: string; token: string } | ({ type: 'report' } & Report);

export class RemoteFakeTelegram {
  private constructor(
    private readonly child: ReturnType<typeof fork>,
    readonly apiRoot: string,
    readonly token: string,
  ) {}

  static async start(): Promise<RemoteFakeTelegram> {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<FromChild & { type: 'ready' }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as FromChild & { type: 'ready' }));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fake Telegram process exited with ${code}`)));
    });
    return new RemoteFakeTelegram(child, ready.apiRoot, ready.token);
  }

  failNext(method: string, fault: Fault): void {
    this.child.send({ type: 'failNext', method, fault });
  }

  report(): Promise<Report> {
    return new Promise((resolve) => {
      this.child.once('message', (message) => resolve(message as Report));
      this.child.send({ type: 'report' });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await exited;
  }
}

if (process.argv.includes('--child') && process.send) {
  const fake = await FakeTelegram.start();
  const send = (message: FromChild) => process.send?.(message);
  process.on('message', async (raw) => {
    const message = raw as { type: string; method?: string; fault?: Fault };
    if (message.type === 'failNext' && message.method && message.fault)
      fake.failNext(message.method, message.fault);
    if (message.type === 'report') {
      const calls = fake.callsOf('sendMessage');
      send({
        type: 'report',
        sendTimes: calls.map((call) => call.at),
        okChatIds: fake.sent().map((payload) => String(payload.chat_id)),
        rateLimited: calls.filter((call) => call.fault?.kind === 'rateLimit').length,
      });
    }
    if (message.type === 'close') {
      await fake.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', apiRoot: fake.apiRoot, token: fake.token });
}
