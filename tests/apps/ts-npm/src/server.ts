// Webhook receiver: POST /hooks/:source takes a delivery, GET / reports what came in.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Delivery } from './delivery';

const latest = new Map<string, Delivery[]>();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/health') {
    send(res, 200, { status: 'up' });
  } else if (req.method === 'GET' && url.pathname === '/') {
    const counts = Object.fromEntries([...latest].map(([source, items]) => [source, items.length]));
    send(res, 200, { service: 'webhooks', received: counts, uid: process.getuid?.() });
  } else if (req.method === 'POST' && url.pathname.startsWith('/hooks/')) {
    const parsed = Delivery.safeParse(await readJson(req).catch(() => null));
    if (!parsed.success) {
      send(res, 422, { errors: parsed.error.issues });
      return;
    }
    const source = url.pathname.slice('/hooks/'.length);
    latest.set(source, [parsed.data, ...(latest.get(source) ?? [])].slice(0, 50));
    send(res, 202, { accepted: parsed.data.id });
  } else {
    send(res, 404, { error: 'not found' });
  }
});

const port = Number(process.env.PORT ?? 8081);
server.listen(port, () => console.log(`webhooks on :${port}`));
