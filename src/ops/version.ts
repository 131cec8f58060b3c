/** Replaced at bundle time; read from package.json when running from source. */
declare const __RIPCORD_VERSION__: string | undefined;
export const VERSION: string = typeof __RIPCORD_VERSION__ === 'string' ? __RIPCORD_VERSION__ : '0.1.0-dev';
