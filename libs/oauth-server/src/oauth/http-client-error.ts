import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SECURITY_HEADER_LINES } from '../common/security-headers';
import { NO_STORE_HEADER_LINES } from './no-store';

const STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'Request header fields are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long'],
};
const BAD_REQUEST: [number, string, string] = [400, 'Bad Request', 'The HTTP request is malformed'];

/**
 * Requests Node's HTTP parser rejects (huge headers, malformed framing) never reach Nest, and Node
 * answers them with an empty body. Answer them like every other OAuth error instead: an RFC 6749
 * §5.2 body with Cache-Control: no-store, then close the connection (its framing is unknown).
 */
export function answerHttpClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, description] = STATUS[error.code ?? ''] ?? BAD_REQUEST;
    const body = JSON.stringify({ error: 'invalid_request', error_description: description });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n${NO_STORE_HEADER_LINES}${SECURITY_HEADER_LINES}` +
        `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}
