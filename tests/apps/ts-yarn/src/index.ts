// Bookmarks API: save links with tags, list them by tag.
import express, { Request, Response } from 'express';
import { Store } from './store';

const app = express();
app.use(express.json());
const store = new Store();

app.get('/', (_req: Request, res: Response) => {
  res.json({ service: 'bookmarks', bookmarks: store.size, uid: process.getuid?.() });
});

app.post('/bookmarks', (req: Request, res: Response) => {
  const { url, title, tags } = req.body ?? {};
  if (typeof url !== 'string' || !url) {
    res.status(400).json({ error: 'url is required' });
    return;
  }
  const id = store.add({ url, title: String(title ?? url), tags: Array.isArray(tags) ? tags.map(String) : [] });
  res.status(201).json({ id });
});

app.get('/tags/:tag', (req: Request, res: Response) => {
  res.json(store.byTag(req.params.tag));
});

app.get('/healthz', (_req: Request, res: Response) => {
  res.send('ok');
});

const port = Number(process.env.PORT || 3000);
app.listen(port, () => console.log(`bookmarks listening on ${port}`));
