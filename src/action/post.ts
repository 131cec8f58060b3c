import { keepYoungGenerationSmall } from '../archive/reclaim.ts';
import { runPost } from './run-post.ts';

keepYoungGenerationSmall();
await runPost({ env: process.env });
