/** Types of scripts/installState.mjs (plain JavaScript: it runs before node_modules exists). */
export function packagesUpToDate(root: string): boolean
export function buildInputsDigest(root: string): string
export function buildUpToDate(root: string): boolean
export function writeBuildStamp(root: string): void
