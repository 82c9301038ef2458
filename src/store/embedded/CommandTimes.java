import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import de.bwaldvogel.mongo.bson.Document;

/**
 * How long the server itself takes over each client command, from the moment the library hands it over until its
 * reply is ready (on H2 that includes waiting for the write-ahead log's sync). Compared with the round trip the
 * app's driver sees, it tells a slow database from a client that reads its replies late: a busy event loop, or
 * processes fighting for the cores. Kept as a histogram of quarter-octave buckets (each about 19 % wide), so a
 * reader can take two snapshots and compute percentiles of the commands in between; it costs two clock reads and
 * three atomic additions per command. A snapshot reads the counters one after the other, without a lock: while
 * commands run, the histogram's sum can differ from `commands` by those that ended meanwhile.
 */
final class CommandTimes {

    /** Bucket i holds durations d (µs) with floor(4 · log2(d + 1)) = i; the last one takes everything longer. */
    static final int BUCKETS = 4 * 27;

    private static final double PER_BUCKET = 4 / Math.log(2);

    private final LongAdder commands = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);

    <T> T time(Supplier<T> command) {
        long started = System.nanoTime();
        try {
            return command.get();
        } finally {
            record((System.nanoTime() - started) / 1_000);
        }
    }

    void record(long micros) {
        commands.increment();
        totalMicros.add(micros);
        buckets.incrementAndGet(bucketOf(micros));
    }

    static int bucketOf(long micros) {
        return (int) Math.min(BUCKETS - 1, Math.floor(PER_BUCKET * Math.log(Math.max(0, micros) + 1)));
    }

    /**
     * `{embeddedCommandTimes: 1}`: the commands served since the server started, their total time and the histogram
     * (`quarterOctaveMicros[i]`: commands that took between 2^(i/4) − 1 and 2^((i+1)/4) − 1 µs). Not a MongoDB
     * command; bench:channels reads it around each run. Null for every other command. The command itself is not
     * counted, so reading twice in a row shows no command in between.
     */
    Document answer(String command) {
        if (!"embeddedCommandTimes".equalsIgnoreCase(command)) {
            return null;
        }
        long[] counts = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = buckets.get(i);
        }
        return new Document("commands", commands.sum()).append("totalMicros", totalMicros.sum())
            .append("quarterOctaveMicros", java.util.Arrays.stream(counts).boxed().toList()).append("ok", 1.0);
    }
}
