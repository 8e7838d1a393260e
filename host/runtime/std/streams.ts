// Local stand-in for `jsr:@std/streams` (offline): only `toArrayBuffer` is
// used by the Apps-Engine Deno runtime.

export async function toArrayBuffer(readableStream: ReadableStream<Uint8Array>): Promise<ArrayBuffer> {
    const reader = readableStream.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        length += value.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
    }
    return out.buffer;
}
