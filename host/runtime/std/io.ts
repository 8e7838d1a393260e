// Local stand-in for `jsr:@std/io` (offline): only `writeAll` is used by the
// Apps-Engine Deno runtime.

export interface Writer {
    write(p: Uint8Array): Promise<number>;
}

export interface WriterSync {
    writeSync(p: Uint8Array): number;
}

export async function writeAll(writer: Writer, data: Uint8Array): Promise<void> {
    let written = 0;
    while (written < data.length) {
        written += await writer.write(data.subarray(written));
    }
}

export function writeAllSync(writer: WriterSync, data: Uint8Array): void {
    let written = 0;
    while (written < data.length) {
        written += writer.writeSync(data.subarray(written));
    }
}
