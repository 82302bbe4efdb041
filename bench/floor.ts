// The raw floor: plain ssh2 over persistent connections, no parsing, no state, no templating.
// Usage: node dist-bench/bench/floor.js HOSTS_JSON STEPS
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

interface H {
  address: string;
  port: number;
  user: string;
  key: string;
}

const hosts = JSON.parse(readFileSync(process.argv[2], 'utf8')) as H[];
const steps = Number(process.argv[3]);

function connect(h: H): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once('ready', () => resolve(c)).once('error', reject);
    c.connect({ host: h.address, port: h.port, username: h.user, privateKey: readFileSync(h.key) });
  });
}

function exec(c: Client, script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    c.exec('bash -s', (err, ch) => {
      if (err) return reject(err);
      let code = -1;
      ch.on('data', () => {}).stderr.on('data', () => {});
      ch.on('exit', (c2: number) => (code = c2)).on('close', () => resolve(code));
      ch.end(script);
    });
  });
}

const clients = await Promise.all(hosts.map(connect));
for (let s = 1; s <= steps; s++) {
  const codes = await Promise.all(clients.map((c) => exec(c, `echo step-${s}\n`)));
  if (codes.some((x) => x !== 0)) throw new Error(`step ${s} failed`);
}
for (const c of clients) c.end();
