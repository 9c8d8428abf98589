/**
 * The floor of any Node.js proxy on this machine, for bench/fanout/run.ts: a plain byte relay from each
 * client connection to one PostgreSQL server (no parsing, no fan-out, one backend). What ReplicaDesk costs
 * above this row is its own work; what this row loses against "direct" is the price of one more hop through
 * a Node process.
 *
 *   node bench/fanout/relay-process.ts <listen port> <backend host> <backend port>
 */
import net from 'node:net';

const [port, host, backendPort] = process.argv.slice(2);
const server = net.createServer((client) => {
  client.setNoDelay(true);
  const backend = net.connect({ host, port: Number(backendPort), noDelay: true });
  client.on('data', (d) => backend.write(d));
  backend.on('data', (d) => client.write(d));
  client.on('close', () => backend.destroy());
  backend.on('close', () => client.destroy());
  client.on('error', () => backend.destroy());
  backend.on('error', () => client.destroy());
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
