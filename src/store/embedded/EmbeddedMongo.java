import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;

/**
 * Embedded MongoDB-wire-compatible server (mongo-java-server) for running the
 * bot without a real MongoDB. Started by src/store/embedded/launcher.ts.
 *
 * Usage:
 *   java -cp CLASSPATH src/store/embedded/EmbeddedMongo.java \
 *     --backend memory|h2 [--file PATH] [--checkpoint-ms 1000] [--host 127.0.0.1] [--port 0] [--ignore-stdin]
 *
 * Protocol with the parent process:
 *   - after binding, prints exactly one line "LISTENING host:port" to stdout;
 *   - exits when stdin reaches EOF, so it never outlives its parent, even one
 *     killed with SIGKILL (the pipe closes when the parent dies);
 *   - on H2, acknowledges a write only once it is synced to the write-ahead log beside the
 *     file (DurableCommits), so even SIGKILL loses nothing that was acknowledged; the log is
 *     replayed on the next start and truncated by a checkpoint every --checkpoint-ms;
 *   - on SIGTERM/SIGINT (or stdin EOF) shuts the server down and closes the H2 store.
 */
public final class EmbeddedMongo {

    /**
     * The version the server reports in hello/buildInfo.
     *
     * mongo-java-server 1.47 defaults to ServerVersion.MONGO_5_0, whose wire
     * version is 8; the mongodb 7.x Node driver refuses servers below wire
     * version 9 (MongoDB 4.4). We report exactly 4.4 / wire 9: the lowest the
     * driver accepts, so the driver does not switch on newer protocol features
     * (snapshot reads at 13, queryable encryption at 21, rawData at 27, ...)
     * that the emulator does not implement.
     */
    private enum ReportedVersion implements MongoVersion {
        MONGO_4_4(List.of(4, 4, 0), 9);

        private final List<Integer> versionArray;
        private final int wireVersion;

        ReportedVersion(List<Integer> versionArray, int wireVersion) {
            this.versionArray = versionArray;
            this.wireVersion = wireVersion;
        }

        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    private static final class Options {
        String backend;
        String file;
        String host = "127.0.0.1";
        int port = 0;
        boolean watchStdin = true;
        long checkpointMs = DurableCommits.DEFAULT_CHECKPOINT_MS;
    }

    private static final String USAGE =
        "usage: EmbeddedMongo --backend memory|h2 [--file PATH] [--checkpoint-ms 1000] [--host 127.0.0.1] [--port 0]"
            + " [--ignore-stdin]";

    private EmbeddedMongo() {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("EmbeddedMongo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        MongoServer server;
        try {
            MongoBackend backend = createBackend(options);
            backend.version(ReportedVersion.MONGO_4_4);
            server = new MongoServer(backend);
            // Registered before bind so a SIGTERM during startup still closes the H2 store.
            registerShutdownHook(server);
            server.bind(new InetSocketAddress(options.host, options.port), 0, workerThreads(options));
        } catch (RuntimeException e) {
            System.err.println("EmbeddedMongo: failed to start on " + options.host + ":" + options.port
                + " with backend '" + options.backend + "': " + e);
            if (String.valueOf(e.getMessage()).contains("is locked")) {
                System.err.println("EmbeddedMongo: another process (e.g. a second bot instance) has this data file open;"
                    + " stop it or point this one at a different data directory.");
            }
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }

        if (options.watchStdin) {
            startStdinWatcher();
        }

        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + options.host + ":" + address.getPort());
        System.out.flush();
        // main returns here; netty's non-daemon event-loop threads keep the JVM alive.
    }

    private static Options parseArgs(String[] args) {
        Options options = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--backend":
                    options.backend = valueAfter(args, i++);
                    break;
                case "--file":
                    options.file = valueAfter(args, i++);
                    break;
                case "--checkpoint-ms":
                    options.checkpointMs = parseCheckpointMs(valueAfter(args, i++));
                    break;
                case "--host":
                    options.host = valueAfter(args, i++);
                    break;
                case "--port":
                    options.port = parsePort(valueAfter(args, i++));
                    break;
                case "--ignore-stdin":
                    // For running the server by hand from a terminal or with </dev/null.
                    options.watchStdin = false;
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (options.backend == null) {
            throw new IllegalArgumentException("--backend is required");
        }
        if (!options.backend.equals("memory") && !options.backend.equals("h2")) {
            throw new IllegalArgumentException("--backend must be 'memory' or 'h2', got '" + options.backend + "'");
        }
        if (options.backend.equals("h2") && options.file == null) {
            throw new IllegalArgumentException("--backend h2 needs --file PATH (the MVStore file to keep data in)");
        }
        if (options.backend.equals("memory") && options.file != null) {
            throw new IllegalArgumentException("--file only applies to --backend h2");
        }
        return options;
    }

    private static String valueAfter(String[] args, int index) {
        if (index + 1 >= args.length) {
            throw new IllegalArgumentException(args[index] + " needs a value");
        }
        return args[index + 1];
    }

    private static long parseCheckpointMs(String value) {
        try {
            long ms = Long.parseLong(value);
            if (ms < 1) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--checkpoint-ms must be a whole number of milliseconds >= 1, got '" + value + "'");
        }
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be 0..65535 (0 = any free port), got '" + value + "'");
        }
    }

    /**
     * Netty threads that serve client connections (0: Netty's default, twice the cores). On H2 a write holds its
     * thread until its group commit is on disk (see DurableCommits), so the number of threads bounds how many
     * writes can share one commit; 64 is above the app's connection pool (50), so no connection waits for a thread.
     */
    private static int workerThreads(Options options) {
        return options.backend.equals("h2") ? H2_WORKER_THREADS : 0;
    }

    private static final int H2_WORKER_THREADS = 64;

    private static MongoBackend createBackend(Options options) {
        if (options.backend.equals("memory")) {
            return IndexedBackends.memory();
        }
        File file = new File(options.file).getAbsoluteFile();
        File dir = file.getParentFile();
        if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
            throw new IllegalStateException("cannot create directory " + dir + " for the H2 file");
        }
        // Every write is on disk before it is acknowledged (DurableCommits), so a hard kill loses no acknowledged write.
        return IndexedBackends.h2(file.getPath(), options.checkpointMs);
    }

    private static void registerShutdownHook(MongoServer server) {
        AtomicBoolean stopped = new AtomicBoolean(false);
        Thread hook = new Thread(() -> {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            try {
                // shutdownNow closes client connections (a plain shutdown would wait
                // for them) and then closes the backend, which flushes the H2 store.
                server.shutdownNow();
            } catch (RuntimeException e) {
                System.err.println("EmbeddedMongo: error during shutdown: " + e);
            }
        }, "embedded-mongo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * The parent keeps our stdin pipe open for as long as it lives. When it
     * exits for any reason (including SIGKILL) the pipe reaches EOF and we exit
     * through the shutdown hook, so no orphaned server keeps the port or file.
     */
    private static void startStdinWatcher() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) != -1) {
                    // Input is ignored; only end-of-stream matters.
                }
            } catch (IOException e) {
                // A broken pipe means the parent is gone as well.
            }
            System.exit(0);
        }, "embedded-mongo-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
