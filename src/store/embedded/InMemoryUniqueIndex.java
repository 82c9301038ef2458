import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.concurrent.ConcurrentHashMap;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;

/**
 * A unique index held in a hash map, for the H2 backend, whose own unique index is an MVMap keyed by KeyValue. H2
 * compares keys of a class it does not know and that is not Comparable, as KeyValue is, by Java-serialising both
 * sides, so every probe of that B-tree serialised about twenty keys, and every commit wrote the index pages as well as
 * the documents. The memory backend's unique index is this one, but for its Integer positions only (its bridge
 * methods cast), so the same few lines are repeated here for H2's positions (the documents' keys).
 *
 * Nothing of it is stored: the library rebuilds an empty index from the documents when the collection is opened.
 */
final class InMemoryUniqueIndex extends AbstractUniqueIndex<Object> {

    private final Map<KeyValue, Object> index = new ConcurrentHashMap<>();

    InMemoryUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    public long getCount() {
        return index.size();
    }

    @Override
    public boolean isEmpty() {
        return index.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return index.remove(keyValue);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        // As H2UniqueIndex: a document without _id has the position null, which a ConcurrentHashMap cannot hold.
        return index.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return index.get(keyValue);
    }

    @Override
    protected Iterable<Entry<KeyValue, Object>> getIterable() {
        return index.entrySet();
    }
}
