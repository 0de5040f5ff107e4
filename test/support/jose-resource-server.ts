import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface VerifyResult {
  ok: boolean;
  kid: string;
  error?: string;
}

/** Drives test/support/jose-resource-server.mjs: a jose createRemoteJWKSet verifier in a child process. */
export class JoseResourceServer {
  private nextId = 0;
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>();

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as { id: number };
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  static start(jwksUri: string, issuer: string): JoseResourceServer {
    const child = spawn(process.execPath, [join(__dirname, 'jose-resource-server.mjs')], {
      env: { ...process.env, JWKS_URI: jwksUri, ISSUER: issuer },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new JoseResourceServer(child);
  }

  /** The resource server's cached JWKS has reached its max-age: it fetches the set again. */
  async reload(): Promise<void> {
    await this.request({ op: 'reload' });
  }

  async verify(tokens: string[], nowMs: number): Promise<VerifyResult[]> {
    return (await this.request({ op: 'verify', tokens, now: nowMs })).results as VerifyResult[];
  }

  stop(): void {
    this.child.kill();
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (answer) => (answer.error ? reject(new Error(String(answer.error))) : resolve(answer)));
      this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }
}
