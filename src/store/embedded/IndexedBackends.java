import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import io.netty.channel.Channel;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

/**
 * mongo-java-server's memory and H2 backends with working secondary indexes ({@link SecondaryIndex}).
 *
 * Each backend is the library's own with three overrides, all through its protected extension points: the database
 * creates a SecondaryIndex where the library would create an empty placeholder, and creates collections of the
 * subclasses below; the collections plan their queries with those indexes before falling back to the library's
 * full scan. Storage, unique indexes, matching, projection and cursors stay the library's.
 */
final class IndexedBackends {

    private IndexedBackends() {
    }

    static MemoryBackend memory() {
        return new IndexedMemoryBackend();
    }

    static H2Backend h2(String file, long checkpointMs) {
        return new IndexedH2Backend(file, checkpointMs);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Query planning, shared by both collection types

    /**
     * Reads one collection's documents. Both collection types implement it with the same two lines over their
     * protected accessors: they extend different library classes, so no shared base class can hold them.
     */
    interface Reader<P> {
        Document document(P position);

        /** The order the library's scan reads documents in, which decides what a write with limit 1 takes. */
        Comparator<P> naturalOrder();

        /** True while an update, delete or findAndModify plans its documents (see {@link #query}). */
        boolean writing();

        QueryResult collect(Document query, Stream<Document> candidates, int skip, int limit, int batchSize,
                            Comparator<Document> order, Document fieldSelector);
    }

    /**
     * The best secondary-index plan for the query, or null to let the library answer it: when a unique index can
     * (it is exact), when the sort is `$natural`, or when no secondary index helps.
     */
    static <P> SecondaryIndex<P>.Plan plan(List<Index<P>> indexes, Document query, Document orderBy) {
        if (orderBy != null && orderBy.containsKey("$natural")) {
            return null;
        }
        SecondaryIndex<P>.Plan best = null;
        for (Index<P> index : indexes) {
            if (!(index instanceof SecondaryIndex)) {
                if (index.canHandle(query)) {
                    return null;
                }
                continue;
            }
            SecondaryIndex<P>.Plan plan = ((SecondaryIndex<P>) index).plan(query, orderBy);
            if (plan != null && (best == null || plan.score() > best.score()
                || plan.score() == best.score() && reads(plan) < reads(best))) {
                best = plan;
            }
        }
        return best;
    }

    /** Entries counted beyond this tell two plans apart no better: both are far wider than a batch. */
    private static final long PLAN_SAMPLE = 1024;

    private static <P> long reads(SecondaryIndex<P>.Plan plan) {
        return plan.entriesUpTo(PLAN_SAMPLE);
    }

    /**
     * A collection's query: by a unique key when the query names one (see {@link #byUniqueKey}), else through the
     * best secondary-index plan, else the library's own way (`fullScan`). The candidates are read lazily and the
     * library's matcher decides; an ordered plan needs no sort, so the stream stops after skip + limit matches.
     * Updates, deletes and findAndModify plan here as well (the library reads their documents through
     * queryDocuments): without a sort, their index candidates are put in the scan's order, so `updateOne`,
     * `deleteOne` and an unsorted findAndModify take the first match the library's scan would have taken.
     * Callers hold the collection's monitor.
     */
    static <P> QueryResult query(Reader<P> reader, List<Index<P>> indexes, Document query, Document orderBy,
                                 int skip, int limit, int batchSize, Document fieldSelector,
                                 Comparator<Document> sort, Supplier<QueryResult> fullScan) {
        Iterable<P> byKey = byUniqueKey(indexes, query, orderBy, reader.naturalOrder());
        if (byKey != null) {
            Stream<Document> candidates = StreamSupport.stream(byKey.spliterator(), false).map(read(reader));
            return reader.collect(query, candidates, skip, limit, batchSize, sort, fieldSelector);
        }
        SecondaryIndex<P>.Plan plan = plan(indexes, query, orderBy);
        if (plan == null) {
            if (indexes.stream().noneMatch(index -> !(index instanceof SecondaryIndex) && index.canHandle(query))) {
                FULL_SCANS.increment();
            }
            return fullScan.get();
        }
        Stream<P> positions = StreamSupport.stream(plan.positions().spliterator(), false);
        if (sort == null && reader.writing()) {
            positions = positions.sorted(reader.naturalOrder());
        }
        return reader.collect(query, positions.map(read(reader)), skip, limit, batchSize,
            plan.ordered ? null : sort, fieldSelector);
    }

    /**
     * The positions of the documents a query can match when it asks for plain values of a single-field unique key
     * (`{_id: "sim:u1", leaseOwner: ..., $or: [...]}`, `{_id: {$in: [...]}, status: "pending"}`, `{_id: {$eq: v}}`),
     * in the scan's order, or null. The library uses a unique index only when the query has exactly the index's
     * fields, so every conversation turn, whose lease and commit filters add conditions to the `_id`, and every
     * broadcast batch update (`_id $in` plus a status) scanned the whole collection. Any match must carry one of
     * those key values, so the matcher still decides on exactly the documents it would have matched. Left to the
     * library: null (it also matches a missing field, which a sparse index does not hold), documents and arrays
     * (which may be operators or match array elements), regular expressions, `$natural`.
     */
    static <P> Iterable<P> byUniqueKey(List<Index<P>> indexes, Document query, Document orderBy,
                                       Comparator<P> naturalOrder) {
        if (orderBy != null && orderBy.containsKey("$natural")) {
            return null;
        }
        for (Index<P> index : indexes) {
            if (!(index instanceof AbstractUniqueIndex) || index.getKeys().size() != 1) {
                continue;
            }
            String key = index.getKeys().get(0).getKey();
            Collection<?> values = keyValues(query.get(key));
            if (values == null) {
                continue;
            }
            if (values.size() == 1) {
                return index.getPositions(new Document(key, values.iterator().next()));
            }
            // 1 and 1.0 are one key: a set, so that a document is not offered (and updated) twice.
            Set<P> positions = new LinkedHashSet<>();
            for (Object value : values) {
                index.getPositions(new Document(key, value)).forEach(positions::add);
            }
            List<P> ordered = new ArrayList<>(positions);
            ordered.sort(naturalOrder);
            return ordered;
        }
        return null;
    }

    /** The plain values a condition on a key allows (a value, `$eq` or `$in` of them), or null for anything else. */
    private static Collection<?> keyValues(Object condition) {
        if (isPlain(condition)) {
            return List.of(condition);
        }
        if (!(condition instanceof Document operators) || operators.isEmpty()
            || operators.keySet().stream().anyMatch(name -> !name.startsWith("$"))) {
            return null;
        }
        // Other operators beside these only narrow the matches further, and the matcher applies them.
        if (operators.containsKey("$eq") && isPlain(operators.get("$eq"))) {
            return List.of(operators.get("$eq"));
        }
        if (operators.get("$in") instanceof Collection<?> in && in.stream().allMatch(IndexedBackends::isPlain)) {
            return in;
        }
        return null;
    }

    private static boolean isPlain(Object value) {
        return value != null && !(value instanceof Document) && !(value instanceof Collection)
            && !(value instanceof Pattern) && !BsonRegularExpression.isRegularExpression(value);
    }

    /**
     * Marks the time a collection's update, delete or findAndModify runs, so that {@link #query} gives their index
     * candidates the scan's order. Set and read under the collection's monitor, which those writes hold throughout
     * (a find waits for it), so a plain field is enough.
     */
    static final class Writes {
        boolean active;

        <T> T run(Supplier<T> write) {
            active = true;
            try {
                return write.get();
            } finally {
                active = false;
            }
        }
    }

    /** Queries answered by reading every document of a collection, since the server started (embeddedPlanStats). */
    private static final LongAdder FULL_SCANS = new LongAdder();

    /** Documents read as candidates of an index plan, since the server started (embeddedPlanStats). */
    private static final LongAdder CANDIDATES = new LongAdder();

    private static <P> Function<P, Document> read(Reader<P> reader) {
        return position -> {
            CANDIDATES.increment();
            return reader.document(position);
        };
    }

    /**
     * `{embeddedPlanStats: 1}`: how many queries scanned a whole collection, and how many documents index plans
     * read as candidates. Not a MongoDB command; tests use it to show that the app's hot queries and writes find
     * their documents by key. Null for every other command.
     */
    static Document planStats(String command) {
        if (!"embeddedPlanStats".equalsIgnoreCase(command)) {
            return null;
        }
        return new Document("fullScans", FULL_SCANS.sum()).append("candidatesRead", CANDIDATES.sum()).append("ok", 1.0);
    }

    /** The answer to one of the server's own diagnostic commands (planStats, {@link CommandTimes}), else null. */
    static Document diagnostics(String command, CommandTimes times) {
        Document stats = planStats(command);
        return stats != null ? stats : times.answer(command);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Memory backend

    static final class IndexedMemoryBackend extends MemoryBackend {
        private final CommandTimes times = new CommandTimes();

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            Document stats = diagnostics(command, times);
            return stats != null ? stats : times.time(() -> super.handleCommand(channel, databaseName, command, query));
        }

        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new IndexedMemoryDatabase(databaseName, getCursorRegistry());
        }
    }

    static final class IndexedMemoryDatabase extends MemoryDatabase {
        IndexedMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        /**
         * The library creates a collection a command names implicitly (an insert, a createIndexes) under the
         * database's lock, but an explicit `create` checks for the collection and creates it outside that lock. Sent
         * while a createIndexes reached the same new collection (mongoose's autoCreate beside a model's or agenda's
         * indexes), both created it: the collection was listed twice, and the index went to a collection object the
         * other command then replaced, so a unique index was not enforced. Under the same lock the check and the
         * creation are one step, and the command that comes second is told NamespaceExists.
         */
        @Override
        public synchronized MongoCollection<Integer> createCollectionOrThrowIfExists(String collectionName,
                                                                                     CollectionOptions options) {
            return super.createCollectionOrThrowIfExists(collectionName, options);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry);
        }

        @Override
        protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                            List<IndexKey> keys, boolean sparse) {
            return new SecondaryIndex<>(indexName, keys, sparse);
        }
    }

    static final class IndexedMemoryCollection extends MemoryCollection implements Reader<Integer> {
        IndexedMemoryCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                                CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            synchronized (this) {
                return query(this, getIndexes(), query, orderBy, skip, limit, batchSize, fieldSelector,
                    deriveComparator(orderBy),
                    () -> super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector));
            }
        }

        /**
         * The library builds an index from the documents without the collection's lock, so writes and reads
         * running meanwhile (mongoose creates indexes while the app already works) saw a half-built index or a
         * list of indexes being changed. Taking the lock makes creating and dropping an index one step.
         */
        @Override
        public synchronized void addIndex(Index<Integer> index) {
            super.addIndex(index);
        }

        @Override
        public synchronized void dropIndex(String indexName) {
            super.dropIndex(indexName);
        }

        // The data size is computed when collStats or validate asks rather than kept per write (see BsonSizes).

        @Override
        protected boolean tracksDataSize() {
            return false;
        }

        @Override
        protected int getDataSize() {
            return BsonSizes.dataSize(streamAllDocumentsWithPosition());
        }

        @Override
        public Document document(Integer position) {
            return getDocument(position);
        }

        /** The library's scan reads the document list from the first slot on. */
        @Override
        public Comparator<Integer> naturalOrder() {
            return Comparator.naturalOrder();
        }

        private final Writes writes = new Writes();

        @Override
        public boolean writing() {
            return writes.active;
        }

        // The three writes that read their documents through queryDocuments (see Writes).

        @Override
        public synchronized Document updateDocuments(Document selector, Document update, ArrayFilters arrayFilters,
                                                     boolean isMulti, boolean isUpsert, Oplog oplog) {
            return writes.run(() -> super.updateDocuments(selector, update, arrayFilters, isMulti, isUpsert, oplog));
        }

        @Override
        public synchronized int deleteDocuments(Document selector, int limit, Oplog oplog) {
            return writes.run(() -> super.deleteDocuments(selector, limit, oplog));
        }

        @Override
        public synchronized Document findAndModify(Document query) {
            return writes.run(() -> super.findAndModify(query));
        }

        @Override
        public QueryResult collect(Document query, Stream<Document> candidates, int skip, int limit, int batchSize,
                                   Comparator<Document> order, Document fieldSelector) {
            return matchDocumentsFromStream(query, candidates, skip, limit, batchSize, order, fieldSelector);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // H2 backend (the persistent one `npm start` uses)

    static final class IndexedH2Backend extends H2Backend {
        private final DurableCommits commits;
        private final CommandTimes times = new CommandTimes();
        /**
         * Stored unique indexes removed while opening a file written before they moved into memory. Counted during
         * the superclass constructor, so it must have no initializer (one would reset it after that constructor).
         */
        private int migratedUniqueIndexes;

        IndexedH2Backend(String file, long checkpointMs) {
            super(file);
            if (migratedUniqueIndexes > 0) {
                // An older version opening the file again finds these indexes empty and rebuilds them itself.
                System.err.println("EmbeddedMongo: " + file + " was written by an older version: removed its "
                    + migratedUniqueIndexes + " stored unique indexes, which are kept in memory now and rebuilt from"
                    + " the documents at each start");
            }
            commits = new DurableCommits(getMvStore(), new java.io.File(file), checkpointMs);
            replayLog();
            commits.start();
        }

        /** A crash leaves the writes since the last checkpoint only in the log: apply them, then checkpoint. */
        private void replayLog() {
            WalReplay.Summary summary;
            try {
                summary = WalReplay.replay(this, commits.log());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read the write-ahead log beside " + getMvStore().getFileStore().getFileName(), e);
            }
            if (summary.records() > 0) {
                System.err.println("EmbeddedMongo: replayed " + summary.records() + " write-ahead log records after an"
                    + " unclean stop: " + summary.restored() + " documents restored, " + summary.removed() + " removed"
                    + (summary.failed() > 0 ? ", " + summary.failed() + " FAILED (see above)" : ""));
            }
            commits.checkpoint();
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            Document stats = diagnostics(command, times);
            if (stats != null) {
                return stats;
            }
            return times.time(() -> commits.run(command, query, () -> super.handleCommand(channel, databaseName, command, query)));
        }

        @Override
        public void close() {
            commits.close();
            super.close();
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IndexedH2Database(databaseName);
        }

        /**
         * An inner class on purpose: H2Database's constructor reopens the stored collections and indexes (calling
         * the overrides below) before a subclass's own fields are set, but an inner class's link to its backend is
         * set before the superclass constructor runs, so the overrides can reach the store through it.
         */
        final class IndexedH2Database extends H2Database {
            IndexedH2Database(String databaseName) {
                super(databaseName, getMvStore(), getCursorRegistry());
            }

            /** One step under the database's lock, as in {@link IndexedMemoryDatabase}. */
            @Override
            public synchronized MongoCollection<Object> createCollectionOrThrowIfExists(String collectionName,
                                                                                        CollectionOptions options) {
                return super.createCollectionOrThrowIfExists(collectionName, options);
            }

            @Override
            protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
                // The same map names H2Database.openOrCreateCollection uses, so existing data files open unchanged.
                String namespace = getFullCollectionNamespace(collectionName);
                return new IndexedH2Collection(this, collectionName, options,
                    getMvStore().openMap("databases." + namespace), getMvStore().openMap("meta." + namespace),
                    cursorRegistry, () -> commits);
            }

            @Override
            protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                               List<IndexKey> keys, boolean sparse) {
                // Kept in memory and rebuilt from the documents when the data file is opened.
                return new SecondaryIndex<>(indexName, keys, sparse);
            }

            /**
             * In memory as well (see InMemoryUniqueIndex). A file written before keeps each unique index in a map of
             * its own (H2Database's name for it); that map is removed here, since it would no longer be kept up to date.
             */
            @Override
            protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName,
                                                            List<IndexKey> keys, boolean sparse) {
                String storedMap = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
                if (getMvStore().hasMap(storedMap)) {
                    getMvStore().removeMap(storedMap);
                    migratedUniqueIndexes++;
                }
                return new InMemoryUniqueIndex(indexName, keys, sparse);
            }
        }
    }

    static final class IndexedH2Collection extends H2Collection implements Reader<Object> {
        /** Read when a document changes: the collections of existing data are opened before the backend sets it. */
        private final Supplier<DurableCommits> commits;
        private final Comparator<Object> keyOrder;

        IndexedH2Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                            org.h2.mvstore.MVMap<Object, Document> dataMap,
                            org.h2.mvstore.MVMap<String, Object> metaMap, CursorRegistry cursorRegistry,
                            Supplier<DurableCommits> commits) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
            this.commits = commits;
            this.keyOrder = dataMap.getKeyType()::compare;
        }

        // The three ways a document changes. Each is logged while the collection's lock is held (the library's
        // collection methods are synchronized), so the log has each document's changes in the order they were made.

        @Override
        protected Object addDocumentInternal(Document document) {
            Object position = super.addDocumentInternal(document);
            logStored(document);
            return position;
        }

        @Override
        protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
            super.handleUpdate(position, oldDocument, newDocument);
            logStored(newDocument);
        }

        @Override
        protected void removeDocument(Object position) {
            super.removeDocument(position);
            if (keyedById()) {
                commits.get().documentRemoved(getDatabaseName(), getCollectionName(), position);
            } else {
                commits.get().documentNotLoggable();
            }
        }

        private void logStored(Document document) {
            if (keyedById()) {
                commits.get().documentStored(getDatabaseName(), getCollectionName(), document);
            } else {
                commits.get().documentNotLoggable();
            }
        }

        /** The log names documents by `_id`, which is what H2Collection keys them by unless a collection has none. */
        private boolean keyedById() {
            return "_id".equals(getIdField());
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            synchronized (this) {
                return query(this, getIndexes(), query, orderBy, skip, limit, batchSize, fieldSelector,
                    deriveComparator(orderBy),
                    () -> super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector));
            }
        }

        /**
         * The library builds an index from the documents without the collection's lock, so writes and reads
         * running meanwhile (mongoose creates indexes while the app already works) saw a half-built index or a
         * list of indexes being changed. Taking the lock makes creating and dropping an index one step.
         */
        @Override
        public synchronized void addIndex(Index<Object> index) {
            super.addIndex(index);
        }

        @Override
        public synchronized void dropIndex(String indexName) {
            super.dropIndex(indexName);
        }

        // The data size is computed when collStats or validate asks rather than kept per write (see BsonSizes); the
        // count a data file written before kept in its metadata is no longer read.

        @Override
        protected boolean tracksDataSize() {
            return false;
        }

        @Override
        protected int getDataSize() {
            return BsonSizes.dataSize(streamAllDocumentsWithPosition());
        }

        @Override
        public Document document(Object position) {
            return getDocument(position);
        }

        /** The library's scan reads the data map in its key order. */
        @Override
        public Comparator<Object> naturalOrder() {
            return keyOrder;
        }

        private final Writes writes = new Writes();

        @Override
        public boolean writing() {
            return writes.active;
        }

        // The three writes that read their documents through queryDocuments (see Writes).

        @Override
        public synchronized Document updateDocuments(Document selector, Document update, ArrayFilters arrayFilters,
                                                     boolean isMulti, boolean isUpsert, Oplog oplog) {
            return writes.run(() -> super.updateDocuments(selector, update, arrayFilters, isMulti, isUpsert, oplog));
        }

        @Override
        public synchronized int deleteDocuments(Document selector, int limit, Oplog oplog) {
            return writes.run(() -> super.deleteDocuments(selector, limit, oplog));
        }

        @Override
        public synchronized Document findAndModify(Document query) {
            return writes.run(() -> super.findAndModify(query));
        }

        @Override
        public QueryResult collect(Document query, Stream<Document> candidates, int skip, int limit, int batchSize,
                                   Comparator<Document> order, Document fieldSelector) {
            return matchDocumentsFromStream(query, candidates, skip, limit, batchSize, order, fieldSelector);
        }
    }
}
