import org.h2.mvstore.MVStore;

/**
 * Makes a write durable before the server acknowledges it: the H2 store is committed and its file forced to disk
 * (fsync) after every write command, and only then does the reply go to the driver.
 *
 * The library leaves committing to MVStore's background thread, about once a second, so a process killed within
 * that second lost writes the app had already confirmed to its users. A commit per write alone would cost one fsync
 * per write; instead commits are grouped: every write that has finished by the time a commit starts is covered by
 * it, and the writers that arrive while a commit is running share the next one. One thread (the first waiter) does
 * each commit while the others wait, so no extra thread is needed and a quiet server does no work.
 *
 * MVStore's own background commit keeps running: it also does the store's housekeeping (freeing and compacting old
 * chunks). An explicit commit takes the store lock and waits for its own write, and MVStore serialises and writes
 * chunks in order on single threads, so a background write still under way when a commit starts has reached the
 * file by the time that commit returns.
 */
final class DurableCommits {

    private final MVStore store;
    /** Tickets handed out: one per finished write that waits for durability. Guarded by this. */
    private long issued;
    /** Every ticket up to this one is on disk. Guarded by this. */
    private long durable;
    /** Whether some thread is committing now. Guarded by this. */
    private boolean committing;

    DurableCommits(MVStore store) {
        this.store = store;
    }

    /**
     * Call after a write has been applied to the store, before replying. Returns once a commit that started after
     * the write finished has reached the disk; throws if that commit failed, so the driver sees an error rather than
     * a false acknowledgement.
     */
    void awaitDurable() {
        long target;
        boolean interrupted = false;
        synchronized (this) {
            long ticket = ++issued;
            while (true) {
                if (durable >= ticket) {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                if (!committing) {
                    committing = true;
                    // Every ticket issued so far belongs to a write that has already finished, so this commit covers it.
                    target = issued;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    // Replying before the commit would break the guarantee, so keep waiting and restore the flag after.
                    interrupted = true;
                }
            }
        }
        boolean ok = false;
        try {
            store.commit();
            store.sync();
            ok = true;
        } finally {
            synchronized (this) {
                if (ok) {
                    durable = Math.max(durable, target);
                }
                committing = false;
                // On failure a waiting writer becomes the next leader and tries again; this one reports the error.
                notifyAll();
            }
            // Restored only now: an interrupted thread's file channel closes itself on the next write.
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
