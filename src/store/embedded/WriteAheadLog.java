import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * An append-only log of records in numbered segment files beside the H2 file (`embedded-mongo.mv.wal-000001`, ...),
 * synced to disk in groups: every record appended by the time a sync starts is covered by it, and the writers that
 * arrive while a sync is running share the next one, done by the first of them (no extra thread, no work when idle).
 *
 * A record on disk is [payload length: int][CRC-32 of the payload: int][payload]. A crash can leave the last record of
 * the newest segment torn; reading stops at the first record whose length or checksum does not hold, and what follows
 * it was never acknowledged.
 *
 * The log is cut into segments so that it can be truncated while writers keep appending: {@link #rotate} starts a new
 * segment and returns the older ones, which the owner deletes once their contents are safe elsewhere.
 */
final class WriteAheadLog {

    private static final int HEADER_BYTES = 8;
    /** A length above this is a torn or foreign header, not a record (one record holds one document). */
    private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final File directory;
    private final String prefix;

    /** Records appended but not yet written. Guarded by this. */
    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    /** The buffer of the last group written, reused as the next `pending` (null while a group is being written). */
    private ByteBuffer spare = ByteBuffer.allocate(64 * 1024);
    /** Tickets handed out, one per appended record. Guarded by this. */
    private long issued;
    /** Every ticket up to this one is on disk. Guarded by this. */
    private long durable;
    /** Whether some thread is writing and syncing now. Guarded by this. */
    private boolean flushing;
    /** Set when a write or sync failed: records after it may be lost, so no later write may be acknowledged. */
    private IOException failure;

    /** Held while writing to or replacing {@link #channel}, so a rotation never splits a group's write. */
    private final ReentrantLock channelLock = new ReentrantLock();
    private FileChannel channel;
    private long segment;

    /** Opens the log for appending in a new segment after any that exist (those are left for {@link #read}). */
    WriteAheadLog(File dataFile) {
        directory = dataFile.getAbsoluteFile().getParentFile();
        prefix = dataFile.getName() + ".wal-";
        List<Long> existing = segments();
        segment = existing.isEmpty() ? 0 : existing.get(existing.size() - 1);
        try {
            channel = openNextSegment();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the write-ahead log in " + directory, e);
        }
    }

    /** The numbers of the segment files on disk, oldest first. */
    List<Long> segments() {
        List<Long> numbers = new ArrayList<>();
        String[] names = directory.list();
        if (names == null) {
            return numbers;
        }
        for (String name : names) {
            if (name.startsWith(prefix)) {
                try {
                    numbers.add(Long.parseLong(name.substring(prefix.length())));
                } catch (NumberFormatException e) {
                    // Not one of ours (an editor's backup, say): leave it alone.
                }
            }
        }
        numbers.sort(Long::compare);
        return numbers;
    }

    /** Hands every intact record of the given segments to the consumer, oldest first; returns how many there were. */
    long read(List<Long> numbers, Consumer<byte[]> consumer) throws IOException {
        long count = 0;
        for (long number : numbers) {
            byte[] bytes = Files.readAllBytes(segmentPath(number));
            ByteBuffer in = ByteBuffer.wrap(bytes);
            while (in.remaining() >= HEADER_BYTES) {
                int length = in.getInt();
                int checksum = in.getInt();
                if (length <= 0 || length > MAX_RECORD_BYTES || length > in.remaining()) {
                    break;
                }
                byte[] payload = new byte[length];
                in.get(payload);
                if (crc(payload) != checksum) {
                    break;
                }
                consumer.accept(payload);
                count++;
            }
        }
        return count;
    }

    /** Queues a record for the next group sync and returns its ticket for {@link #awaitDurable}. */
    synchronized long append(byte[] payload) {
        if (pending.remaining() < HEADER_BYTES + payload.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + HEADER_BYTES + payload.length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.putInt(payload.length).putInt(crc(payload)).put(payload);
        return ++issued;
    }

    /** The ticket of the last record appended so far (0 when none). */
    synchronized long lastTicket() {
        return issued;
    }

    /**
     * Returns once every record up to `ticket` is on disk; throws if the log could not be written, so that the driver
     * sees an error rather than a false acknowledgement.
     */
    void awaitDurable(long ticket) {
        ByteBuffer batch;
        long target;
        boolean interrupted = false;
        synchronized (this) {
            while (true) {
                if (failure != null) {
                    restoreInterrupt(interrupted);
                    throw new UncheckedIOException("the write-ahead log could not be written; restart the server", failure);
                }
                if (durable >= ticket) {
                    restoreInterrupt(interrupted);
                    return;
                }
                if (!flushing) {
                    flushing = true;
                    target = issued;
                    batch = pending.flip();
                    pending = spare;
                    spare = null;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    // Replying before the sync would break the guarantee, so keep waiting and restore the flag after.
                    interrupted = true;
                }
            }
        }
        IOException error = null;
        channelLock.lock();
        try {
            while (batch.hasRemaining()) {
                channel.write(batch);
            }
            channel.force(false);
        } catch (IOException e) {
            error = e;
        } finally {
            channelLock.unlock();
        }
        synchronized (this) {
            if (error == null) {
                durable = Math.max(durable, target);
            } else {
                failure = error;
            }
            spare = batch.clear();
            flushing = false;
            notifyAll();
        }
        // Restored only now: an interrupted thread's file channel closes itself on the next write.
        restoreInterrupt(interrupted);
        if (error != null) {
            throw new UncheckedIOException("the write-ahead log could not be written; restart the server", error);
        }
    }

    /**
     * Starts a new segment for the records appended from now on and returns the numbers of all older segments. Every
     * record already written is in one of those; records still queued go to the new segment.
     */
    List<Long> rotate() throws IOException {
        channelLock.lock();
        try {
            long previous = segment;
            FileChannel next = openNextSegment();
            FileChannel old = channel;
            channel = next;
            old.close();
            List<Long> older = new ArrayList<>();
            for (long number : segments()) {
                if (number <= previous) {
                    older.add(number);
                }
            }
            return older;
        } finally {
            channelLock.unlock();
        }
    }

    void delete(List<Long> numbers) throws IOException {
        for (long number : numbers) {
            Files.deleteIfExists(segmentPath(number));
        }
    }

    void close() throws IOException {
        channelLock.lock();
        try {
            channel.close();
        } finally {
            channelLock.unlock();
        }
    }

    /** Opens segment `segment + 1`; its directory entry is synced, so a record synced into it is found after a crash. */
    private FileChannel openNextSegment() throws IOException {
        segment++;
        FileChannel created = FileChannel.open(segmentPath(segment),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try (FileChannel dir = FileChannel.open(directory.toPath(), StandardOpenOption.READ)) {
            dir.force(true);
        }
        return created;
    }

    private Path segmentPath(long number) {
        return directory.toPath().resolve(String.format("%s%06d", prefix, number));
    }

    private static int crc(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static void restoreInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
