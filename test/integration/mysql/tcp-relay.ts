import net from 'node:net';

/**
 * A TCP relay between the channel and a server, for injecting network faults: cut every connection,
 * stall traffic (sockets stay open, nothing passes), or refuse new connections.
 */
export class TcpRelay {
  private server: net.Server | undefined;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private stalled = false;
  private refusing = false;
  connections = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      this.connections++;
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      const forward = (from: net.Socket, to: net.Socket) =>
        from.on('data', (d: Buffer) => {
          if (!this.stalled) to.write(d);
          // While stalled, data is dropped: the link looks alive (no FIN/RST) but carries nothing.
        });
      forward(client, upstream);
      forward(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', close);
      upstream.on('close', close);
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Resets every open connection (like a cable pulled and put back). */
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  /** Silently drops traffic in both directions until unstall(); then cuts, since bytes were lost. */
  stall(): void {
    this.stalled = true;
  }

  unstall(): void {
    this.stalled = false;
    this.cut();
  }

  refuse(on: boolean): void {
    this.refusing = on;
    if (on) this.cut();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
