import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Makes a write durable before the server acknowledges it, without committing the H2 store for every write.
 *
 * The library leaves committing to MVStore's background thread, about once a second, so a process killed within
 * that second lost writes the app had already confirmed to its users. Committing and syncing the store per write
 * group closed that gap but cost half the throughput: every commit serialises each changed B-tree page whole, with
 * Java serialisation of every document on it. Instead, each document a command writes (its new contents, or its
 * deletion) is appended to a write-ahead log ({@link WriteAheadLog}) as BSON while the collection's lock is held, so
 * the log holds the changes of each document in the order they were made; the reply waits for a group sync of the
 * log. The store keeps committing in the background, and a checkpoint every second starts a new log segment, commits
 * and syncs the store, and deletes the segments that commit covers. On open, {@link WalReplay} applies what the
 * remaining segments hold.
 *
 * Commands that change more than documents (create or drop a collection or database, create or drop an index,
 * rename, `$out`) are rare, and their effects are not in the log, so they take a checkpoint before replying instead.
 */
final class DurableCommits {

    /** How often the log is truncated: its length bounds the replay after a crash; each checkpoint costs a sync. */
    static final long DEFAULT_CHECKPOINT_MS = 1_000;

    /** The log records of the command running on this thread, if it runs through {@link #run}. */
    private static final class Command {
        long lastTicket;
        boolean needsCheckpoint;
    }

    private final MVStore store;
    private final WriteAheadLog log;
    private final ThreadLocal<Command> current = new ThreadLocal<>();
    /** Serialises checkpoints (the periodic one and those of schema commands). */
    private final Object checkpointLock = new Object();
    private final ScheduledExecutorService checkpointer;
    /** The ticket the last checkpoint's rotation left behind. Guarded by checkpointLock. */
    private long checkpointedTicket;
    /** The store version the last checkpoint committed and synced (-1: none yet). Guarded by checkpointLock. */
    private long syncedVersion = -1;
    private final long checkpointMs;

    DurableCommits(MVStore store, File dataFile, long checkpointMs) {
        this.store = store;
        this.checkpointMs = checkpointMs;
        this.log = new WriteAheadLog(dataFile);
        checkpointer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-mongo-checkpoint");
            thread.setDaemon(true);
            return thread;
        });
    }

    WriteAheadLog log() {
        return log;
    }

    /** Starts the periodic checkpoints; call once any replay is done. */
    void start() {
        checkpointer.scheduleWithFixedDelay(() -> {
            try {
                synchronized (checkpointLock) {
                    if (log.lastTicket() != checkpointedTicket) {
                        checkpoint();
                    }
                }
            } catch (RuntimeException e) {
                // The log keeps every write safe meanwhile; the next checkpoint tries again.
                System.err.println("EmbeddedMongo: checkpoint failed (retrying at the next interval): " + e);
            }
        }, checkpointMs, checkpointMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs one client command and returns its reply once everything it changed is durable. Also when the command
     * fails part-way: what it changed before failing is visible to the next reader, so it must survive a crash too.
     */
    Document run(String command, Document query, Supplier<Document> handler) {
        if (current.get() != null) {
            // A command run from within another (the library may nest them): the outer one waits for both.
            return handler.get();
        }
        Command running = new Command();
        current.set(running);
        try {
            return handler.get();
        } finally {
            current.remove();
            if (running.needsCheckpoint || WriteCommands.changesMoreThanDocuments(command, query)) {
                checkpoint();
            } else if (running.lastTicket > 0) {
                log.awaitDurable(running.lastTicket);
            }
        }
    }

    /** Called with the collection's lock held, right after a document was stored. */
    void documentStored(String database, String collection, Document document) {
        record(database, collection, "put", document);
    }

    /** Called with the collection's lock held, right after a document was removed. */
    void documentRemoved(String database, String collection, Object id) {
        record(database, collection, "del", id);
    }

    /** A document the log cannot describe (a collection keyed by something else than `_id`): commit the store instead. */
    void documentNotLoggable() {
        Command running = current.get();
        if (running != null) {
            running.needsCheckpoint = true;
        }
    }

    private void record(String database, String collection, String kind, Object value) {
        Command running = current.get();
        if (running == null) {
            // Not a client command (a replay at startup): its changes reach the store by a checkpoint.
            return;
        }
        byte[] payload;
        try {
            payload = BsonSizes.encode(new Document("db", database).append("c", collection).append(kind, value));
        } catch (RuntimeException e) {
            running.needsCheckpoint = true;
            return;
        }
        running.lastTicket = log.append(payload);
    }

    /**
     * Starts a new log segment, commits and syncs the store, then deletes the older segments. Every record in them
     * belongs to a change applied before the rotation (a change is logged after it is applied), so the commit, which
     * starts after the rotation, holds all of it. Changes applied meanwhile are logged in the new segment, and
     * replaying them over a store that already has them gives the same documents.
     */
    void checkpoint() {
        synchronized (checkpointLock) {
            try {
                long ticket = log.lastTicket();
                if (unchangedSinceLastCheckpoint(ticket)) {
                    return;
                }
                List<Long> covered = log.rotate();
                store.commit();
                // Read before the sync: every version up to this one is written by now, so the sync covers it.
                long version = store.getCurrentVersion();
                store.sync();
                log.delete(covered);
                checkpointedTicket = ticket;
                syncedVersion = version;
            } catch (IOException e) {
                throw new UncheckedIOException("checkpoint of the H2 store and its write-ahead log failed", e);
            }
        }
    }

    /**
     * Nothing to make durable: no document logged, nothing changed in the store and no commit (the store's own
     * background ones included) since the last checkpoint synced. Every app start sends `create` and `createIndexes`
     * for each collection and index it declares; when they exist already, the command changes nothing, and each of
     * these checkpoints cost a new log segment, two syncs and a deletion.
     */
    private boolean unchangedSinceLastCheckpoint(long ticket) {
        return ticket == checkpointedTicket && store.getCurrentVersion() == syncedVersion && !store.hasUnsavedChanges();
    }

    /** Stops the checkpoints and takes a last one, so that a clean stop leaves an empty log. */
    void close() {
        // Not shutdownNow: interrupting a checkpoint in the middle of file I/O would close the store's file channel.
        checkpointer.shutdown();
        try {
            checkpointer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpoint();
            log.close();
        } catch (IOException | RuntimeException e) {
            System.err.println("EmbeddedMongo: closing the write-ahead log failed (it is replayed on the next start): " + e);
        }
    }
}
