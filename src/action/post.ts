import { runPost } from './run-post.ts';

await runPost({ env: process.env });
