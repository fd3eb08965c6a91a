/** Replaced at build time by the bundlers; the fallback serves tests that run the sources. */
declare const __SADDLE_VERSION__: string | undefined;
export const SADDLE_VERSION: string = typeof __SADDLE_VERSION__ === 'string' ? __SADDLE_VERSION__ : '0.0.0-dev';
