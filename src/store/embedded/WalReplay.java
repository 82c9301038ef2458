import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.Unpooled;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;

/**
 * Brings the H2 store up to date with the write-ahead log after a crash (see DurableCommits).
 *
 * The store on disk is the last commit, taken at some moment after the oldest record still in the log, so it already
 * holds some of the logged changes and not others. Each record is a document's whole new contents or its removal, so
 * only the last record of each document matters: it is its newest acknowledged state. Replaying runs in two passes,
 * first removing every logged document whose stored contents differ from its last record, then adding the new
 * contents, so that a unique key that moved from one document to another never meets itself half-way. Both passes
 * go through the library's collection methods, which keep the unique and secondary indexes in step.
 */
final class WalReplay {

    private static final Object REMOVED = new Object();

    /** What a replay did, for the log line at startup. */
    record Summary(long records, int restored, int removed, int failed) {
    }

    private WalReplay() {
    }

    static Summary replay(AbstractMongoBackend backend, WriteAheadLog log) throws IOException {
        // database -> collection -> _id -> the last record's document, or REMOVED
        Map<String, Map<String, Map<Object, Object>>> latest = new LinkedHashMap<>();
        long records = log.read(log.segments(), payload -> {
            Document record = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(payload));
            Map<Object, Object> documents = latest
                .computeIfAbsent((String) record.get("db"), k -> new LinkedHashMap<>())
                .computeIfAbsent((String) record.get("c"), k -> new LinkedHashMap<>());
            if (record.containsKey("put")) {
                Document document = (Document) record.get("put");
                documents.put(document.get("_id"), document);
            } else {
                documents.put(record.get("del"), REMOVED);
            }
        });
        int restored = 0;
        int removed = 0;
        int failed = 0;
        for (Map.Entry<String, Map<String, Map<Object, Object>>> database : latest.entrySet()) {
            MongoDatabase db = backend.resolveDatabase(database.getKey());
            for (Map.Entry<String, Map<Object, Object>> entry : database.getValue().entrySet()) {
                MongoCollection<?> collection = db.resolveCollection(entry.getKey(), false);
                if (collection == null) {
                    collection = db.createCollectionOrThrowIfExists(entry.getKey());
                }
                Map<Object, Object> toAdd = new HashMap<>();
                for (Map.Entry<Object, Object> document : entry.getValue().entrySet()) {
                    Document stored = find(collection, document.getKey());
                    if (stored != null && stored.equals(document.getValue())) {
                        continue;
                    }
                    try {
                        if (stored != null) {
                            collection.removeDocument(stored);
                            if (document.getValue() == REMOVED) {
                                removed++;
                            }
                        }
                        if (document.getValue() != REMOVED) {
                            toAdd.put(document.getKey(), document.getValue());
                        }
                    } catch (RuntimeException e) {
                        failed++;
                        report(collection, document.getKey(), e);
                    }
                }
                for (Map.Entry<Object, Object> document : toAdd.entrySet()) {
                    try {
                        collection.addDocument((Document) document.getValue());
                        restored++;
                    } catch (RuntimeException e) {
                        failed++;
                        report(collection, document.getKey(), e);
                    }
                }
            }
        }
        return new Summary(records, restored, removed, failed);
    }

    private static Document find(MongoCollection<?> collection, Object id) {
        for (Document document : collection.handleQuery(new Document("_id", id), 0, 1)) {
            return document;
        }
        return null;
    }

    private static void report(MongoCollection<?> collection, Object id, RuntimeException e) {
        System.err.println("EmbeddedMongo: write-ahead log replay could not restore _id " + id + " in "
            + collection.getFullName() + ": " + e);
    }
}
