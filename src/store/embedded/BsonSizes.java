import java.util.function.Function;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;

import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;

/**
 * BSON encoding of stored documents off the library's allocator, and collection data sizes computed when asked.
 *
 * Profiles of the /sim bench put about a tenth of the JVM's time in encoding documents just to measure them: the
 * library encodes the old and the new document of every update (Utils.calculateSize) to keep a running data size,
 * each time into a fresh 256-byte buffer that doubles its way up to a few kilobytes, and every step of that goes
 * through the instrumented default allocator's shared counters, which 64 server threads contend on. The running
 * size is read only by collStats and validate, which nothing on the app's path sends, so the collections below stop
 * tracking it and compute it by one pass over the documents when those commands ask; the write-ahead log encodes
 * into a buffer kept per thread.
 */
final class BsonSizes {

    /** A buffer a thread keeps between encodes; one grown past this by a huge document is dropped after use. */
    private static final int KEEP_BYTES = 1 << 20;
    private static final ThreadLocal<ByteBuf> BUFFER = new ThreadLocal<>();

    private BsonSizes() {
    }

    /** The document as BSON bytes. */
    static byte[] encode(Document document) {
        return encoded(document, buffer -> {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        });
    }

    /** The summed BSON size of the documents, as the library's running count would have it (an int, as there). */
    static int dataSize(Stream<? extends DocumentWithPosition<?>> documents) {
        long total = documents.mapToLong(d -> encoded(d.getDocument(), ByteBuf::readableBytes)).sum();
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    private static <T> T encoded(Document document, Function<ByteBuf, T> read) {
        ByteBuf buffer = BUFFER.get();
        if (buffer == null) {
            // Not the allocator's instrumented buffer: nothing shared is touched when it grows.
            buffer = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 8 * 1024, Integer.MAX_VALUE);
        }
        buffer.clear();
        try {
            BsonEncoder.encodeDocument(document, buffer);
            return read.apply(buffer);
        } finally {
            BUFFER.set(buffer.capacity() <= KEEP_BYTES ? buffer : null);
        }
    }
}
