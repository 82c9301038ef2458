import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * A non-unique (secondary) index for mongo-java-server.
 *
 * Why this exists: mongo-java-server 1.47 accepts `createIndexes` for non-unique indexes but keeps them as empty
 * placeholders, so every query that is not an exact lookup on a unique index reads the whole collection, matches
 * every document and sorts all the matches before the first page can be returned. With 100,000 applications that
 * made one page of the admin list take about 280 ms. No maintained library adds secondary indexes to it, so this
 * class does, with the same index definitions the app declares for a real MongoDB.
 *
 * What it keeps: one ordered entry per (key values, document) in a TreeSet ordered by the index's fields and
 * directions, multikey fields expanded (a document with regionPath ['32', '3201'] has two entries), the way
 * MongoDB's own B-tree keys are laid out. It never decides what matches: a plan (see {@link #plan}) only hands the
 * collection candidate positions, a superset of the matching documents, and the server's own matcher tests each
 * one. When the plan also yields the candidates in the order the query sorts by, the collection stops reading
 * after skip + limit matches instead of sorting everything (see IndexedBackends).
 *
 * Shapes it serves, each conservative so that the candidates are always a superset:
 * - equality (`{f: v}`, `{f: {$eq: v}}`) or `$in` on a leading run of the index's fields, with scalar values only
 *   (strings, numbers, booleans, dates, ObjectIds): null, arrays, documents and regexes have matching rules an
 *   index lookup would get wrong, so they end the run;
 * - a range (`$gt`, `$gte`, `$lt`, `$lte`) on the field after that run, used to seek, bounds inclusive, unless
 *   that field has ever held an array;
 * - a sort on the fields after the run, in the index's directions or all reversed, unless one of those fields has
 *   ever held an array (MongoDB sorts arrays by their smallest or largest element, which entries don't give).
 * Everything else (top-level operators such as $or, $natural sorts) is left to the server's full scan.
 *
 * Thread safety: every caller runs under the collection's monitor (the collection methods are synchronized, and
 * IndexedBackends takes the same monitor around planning and reading); the methods here are synchronized too.
 */
final class SecondaryIndex<P> extends Index<P> {

    /** The equality run stops before a field whose `$in` would take the seeks past this many (too dear to help). */
    private static final int MAX_COMBINATIONS = 256;

    private static final ValueComparator VALUES = ValueComparator.asc();

    /** Bound markers: LOW sorts before and HIGH after every value of a field, whatever the field's direction. */
    private static final Object LOW = new Object();
    private static final Object HIGH = new Object();

    private static final class Entry<P> {
        final Object[] values;
        final P position;
        final long sequence;

        Entry(Object[] values, P position, long sequence) {
            this.values = values;
            this.position = position;
            this.sequence = sequence;
        }
    }

    private final String[] fields;
    private final boolean[] ascending;
    /** Set once a field has held an array in some document; such a field cannot give a sort order. */
    private final boolean[] multikey;
    private final TreeSet<Entry<P>> entries;
    private final Map<P, List<Entry<P>>> entriesByPosition = new HashMap<>();
    private final Map<Object, P> positionById = new HashMap<>();
    private long nextSequence;

    SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        fields = keys.stream().map(IndexKey::getKey).toArray(String[]::new);
        ascending = new boolean[fields.length];
        for (int i = 0; i < fields.length; i++) {
            ascending[i] = keys.get(i).isAscending();
        }
        multikey = new boolean[fields.length];
        entries = new TreeSet<>(this::compareEntries);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Order

    private int compareField(int field, Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a == LOW || b == HIGH) {
            return -1;
        }
        if (a == HIGH || b == LOW) {
            return 1;
        }
        // Strings are most keys here (ids, codes, sort keys). ValueComparator orders two strings by compareTo as
        // well, after type checks that cost more than the comparison; every insert makes hundreds of these.
        int c = a instanceof String && b instanceof String ? ((String) a).compareTo((String) b) : VALUES.compare(a, b);
        return ascending[field] ? c : -c;
    }

    /** Index order over the fields from `from` on; entries with equal values keep their insertion order. */
    private int compareFrom(int from, Entry<P> a, Entry<P> b) {
        for (int i = from; i < fields.length; i++) {
            int c = compareField(i, a.values[i], b.values[i]);
            if (c != 0) {
                return c;
            }
        }
        return Long.compare(a.sequence, b.sequence);
    }

    private int compareEntries(Entry<P> a, Entry<P> b) {
        return compareFrom(0, a, b);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Maintenance, called by the collection on every insert, update and delete

    private static boolean hasValue(Object value) {
        return value != null && !(value instanceof Missing);
    }

    /** A sparse index skips documents that have none of its fields (or only nulls, which no plan here can match). */
    private boolean skips(Document document) {
        if (!isSparse()) {
            return false;
        }
        for (String field : fields) {
            if (hasValue(valueOf(document, field))) {
                return false;
            }
        }
        return true;
    }

    /** A field's value; a plain name is read directly (the library's path lookup splits every path by regex). */
    private static Object valueOf(Document document, String field) {
        return field.indexOf('.') < 0 ? document.get(field) : Utils.getSubdocumentValue(document, field);
    }

    /** The map key for a document's _id: string ids as they are, others normalised (1 and 1.0 are one id). */
    private static Object idOf(Document document) {
        Object id = document.get("_id");
        return id instanceof String ? id : new KeyValue(id).normalized();
    }

    @Override
    public P getPosition(Document document) {
        return null; // not unique: a document's position is never determined by these keys
    }

    /** Throws, as MongoDB does, for a document with arrays in two fields of this index (computing keys checks). */
    private void checkNoParallelArrays(Document document) {
        int arrays = 0;
        for (String field : fields) {
            if (valueOf(document, field) instanceof Collection) {
                arrays++;
            }
        }
        if (arrays > 1) {
            getKeyValues(document);
        }
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        checkNoParallelArrays(document);
    }

    @Override
    public synchronized void add(Document document, P position, MongoCollection<P> collection) {
        if (skips(document)) {
            return;
        }
        boolean hasArray = false;
        Object[] plain = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            Object value = valueOf(document, fields[i]);
            if (value instanceof Collection) {
                multikey[i] = true;
                hasArray = true;
            }
            plain[i] = value == null || value instanceof Missing ? null : value;
        }
        // A document without arrays in these fields has one key: its values, normalised. The library's general
        // expansion (getKeyValues) gives the same key through several streams; it is kept for arrays.
        Set<KeyValue> keyValues = hasArray || Arrays.stream(plain).anyMatch(v -> v instanceof Document)
            ? getKeyValues(document)
            : Collections.singleton(new KeyValue(plain).normalized());
        List<Entry<P>> added = new ArrayList<>(keyValues.size());
        for (KeyValue keyValue : keyValues) {
            Object[] values = new Object[fields.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = keyValue.get(i);
            }
            Entry<P> entry = new Entry<>(values, position, nextSequence++);
            entries.add(entry);
            added.add(entry);
        }
        entriesByPosition.put(position, added);
        positionById.put(idOf(document), position);
    }

    private void removePosition(P position) {
        List<Entry<P>> removed = entriesByPosition.remove(position);
        if (removed != null) {
            for (Entry<P> entry : removed) {
                entries.remove(entry);
            }
        }
    }

    @Override
    public synchronized P remove(Document document) {
        P position = positionById.remove(idOf(document));
        if (position != null) {
            removePosition(position);
        }
        return position;
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
        checkNoParallelArrays(newDocument);
    }

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, P position,
                                           MongoCollection<P> collection) {
        removePosition(position);
        positionById.remove(idOf(oldDocument));
        add(newDocument, position, collection);
    }

    @Override
    public boolean canHandle(Document query) {
        // The collection plans with plan() instead: it knows the sort and the limit, which canHandle is not told.
        return false;
    }

    @Override
    public Iterable<P> getPositions(Document query) {
        throw new UnsupportedOperationException("SecondaryIndex is read through plan(), not getPositions()");
    }

    @Override
    public synchronized long getCount() {
        return entriesByPosition.size();
    }

    @Override
    public long getDataSize() {
        return 0;
    }

    @Override
    public synchronized void drop() {
        entries.clear();
        entriesByPosition.clear();
        positionById.clear();
    }

    // -----------------------------------------------------------------------------------------------------------
    // Planning

    /** How a query would read this index; {@link #positions()} yields the candidates. */
    final class Plan {
        /** Fields with an equality or `$in` condition, from the first: how narrow the read is. */
        final int equalities;
        /** The candidates come in the query's sort order, so the collection need not sort them. */
        final boolean ordered;
        private final List<Object[]> combinations;
        private final Object lower;
        private final Object upper;
        private final boolean reversed;

        private Plan(int equalities, List<Object[]> combinations, Object lower, Object upper, boolean ordered,
                     boolean reversed) {
            this.equalities = equalities;
            this.combinations = combinations;
            this.lower = lower;
            this.upper = upper;
            this.ordered = ordered;
            this.reversed = reversed;
        }

        /** Higher is better: narrower first, then sorted, then bounded. */
        int score() {
            return equalities * 4 + (ordered ? 2 : 0) + (lower != null || upper != null ? 1 : 0);
        }

        /**
         * How many entries the plan would read, counted no further than `cap`. Two plans of the same score can read
         * very different amounts: `{broadcastId, status, seq: {$in: [64 seqs]}}` has two equalities both on
         * (broadcastId, status, ...) and on (broadcastId, seq), but the first reads every pending delivery.
         */
        long entriesUpTo(long cap) {
            long n = 0;
            for (Object[] combination : combinations) {
                Iterator<Entry<P>> entries = range(combination).iterator();
                while (n < cap && entries.hasNext()) {
                    entries.next();
                    n++;
                }
                if (n >= cap) {
                    break;
                }
            }
            return n;
        }

        /** The range of one equality combination, in index order (or reversed). */
        private NavigableSet<Entry<P>> range(Object[] prefix) {
            Object[] from = new Object[fields.length];
            Object[] to = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                if (i < equalities) {
                    from[i] = prefix[i];
                    to[i] = prefix[i];
                } else if (i == equalities) {
                    // In value terms the range is [lower, upper]; in index order a descending field runs high to low.
                    Object low = lower != null ? lower : LOW;
                    Object high = upper != null ? upper : HIGH;
                    from[i] = ascending[i] ? low : (upper != null ? upper : LOW);
                    to[i] = ascending[i] ? high : (lower != null ? lower : HIGH);
                } else {
                    from[i] = LOW;
                    to[i] = HIGH;
                }
            }
            Entry<P> first = new Entry<>(from, null, Long.MIN_VALUE);
            Entry<P> last = new Entry<>(to, null, Long.MAX_VALUE);
            if (compareEntries(first, last) > 0) {
                // Bounds that cross ({$gt: 4, $lt: 1}) match nothing; subSet would throw instead.
                return Collections.emptyNavigableSet();
            }
            NavigableSet<Entry<P>> range = entries.subSet(first, true, last, true);
            return reversed ? range.descendingSet() : range;
        }

        /** Candidate positions, each once. Read them under the collection's monitor. */
        Iterable<P> positions() {
            return () -> {
                Iterator<Entry<P>> merged = merge();
                Set<P> seen = new HashSet<>();
                return new Iterator<P>() {
                    private P next;

                    @Override
                    public boolean hasNext() {
                        while (next == null && merged.hasNext()) {
                            P position = merged.next().position;
                            if (seen.add(position)) {
                                next = position;
                            }
                        }
                        return next != null;
                    }

                    @Override
                    public P next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        P result = next;
                        next = null;
                        return result;
                    }
                };
            };
        }

        /** The combinations' ranges merged in index order from the first non-equality field on. */
        private Iterator<Entry<P>> merge() {
            if (combinations.size() == 1) {
                return range(combinations.get(0)).iterator();
            }
            Comparator<Entry<P>> order = (a, b) -> compareFrom(equalities, a, b);
            Comparator<Entry<P>> headOrder = reversed ? order.reversed() : order;
            PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> headOrder.compare(a.entry, b.entry));
            for (Object[] combination : combinations) {
                Iterator<Entry<P>> iterator = range(combination).iterator();
                if (iterator.hasNext()) {
                    heads.add(new Head(iterator.next(), iterator));
                }
            }
            return new Iterator<Entry<P>>() {
                @Override
                public boolean hasNext() {
                    return !heads.isEmpty();
                }

                @Override
                public Entry<P> next() {
                    Head head = heads.poll();
                    if (head == null) {
                        throw new NoSuchElementException();
                    }
                    if (head.rest.hasNext()) {
                        heads.add(new Head(head.rest.next(), head.rest));
                    }
                    return head.entry;
                }
            };
        }

        private final class Head {
            final Entry<P> entry;
            final Iterator<Entry<P>> rest;

            Head(Entry<P> entry, Iterator<Entry<P>> rest) {
                this.entry = entry;
                this.rest = rest;
            }
        }
    }

    /**
     * How this index would serve `query` sorted by `orderBy`, or null when it would not help (or could not be
     * trusted to return every match).
     */
    synchronized Plan plan(Document query, Document orderBy) {
        for (String key : query.keySet()) {
            if (key.startsWith("$")) {
                return null; // $or, $and, $expr, ...: left to the full scan
            }
        }
        List<List<Object>> choices = new ArrayList<>();
        long combinationCount = 1;
        for (String field : fields) {
            List<Object> values = equalityValues(query, field);
            if (values == null || combinationCount * Math.max(1, values.size()) > MAX_COMBINATIONS) {
                break;
            }
            choices.add(values);
            combinationCount *= values.size();
        }
        int equalities = choices.size();
        Object lower = null;
        Object upper = null;
        // No seek on a field that has held arrays: {a: {$gt: 1, $lt: 5}} matches [0, 9] (each bound met by some
        // element) though no single entry lies between the bounds.
        if (equalities < fields.length && !multikey[equalities] && query.get(fields[equalities]) instanceof Document) {
            Document conditions = (Document) query.get(fields[equalities]);
            for (String operator : conditions.keySet()) {
                Object bound = scalar(conditions.get(operator));
                if (bound == null) {
                    continue;
                }
                if (operator.equals("$gt") || operator.equals("$gte")) {
                    lower = bound;
                } else if (operator.equals("$lt") || operator.equals("$lte")) {
                    upper = bound;
                }
            }
        }
        boolean bounded = lower != null || upper != null;
        Boolean sortDirection = sortDirection(orderBy, equalities);
        boolean ordered = sortDirection != null;
        if (equalities == 0 && !bounded && (isSparse() || !ordered)) {
            // Reading the whole index helps only to return a sort; a sparse one does not hold every document.
            return null;
        }
        return new Plan(equalities, combinations(choices), lower, upper, ordered,
            ordered && !sortDirection);
    }

    private static List<Object[]> combinations(List<List<Object>> choices) {
        List<Object[]> result = new ArrayList<>();
        result.add(new Object[choices.size()]);
        for (int i = 0; i < choices.size(); i++) {
            List<Object[]> extended = new ArrayList<>();
            for (Object[] partial : result) {
                for (Object value : choices.get(i)) {
                    Object[] copy = partial.clone();
                    copy[i] = value;
                    extended.add(copy);
                }
            }
            result = extended;
        }
        return result;
    }

    /**
     * The values an equality or `$in` condition on `field` allows (normalised as index keys are), or null when the
     * query has no such condition, or one an index lookup would answer wrongly.
     */
    private static List<Object> equalityValues(Document query, String field) {
        if (!query.containsKey(field)) {
            return null;
        }
        Object condition = query.get(field);
        if (condition instanceof Document) {
            Document operators = (Document) condition;
            if (operators.size() != 1) {
                return null;
            }
            if (operators.containsKey("$eq")) {
                Object value = scalar(operators.get("$eq"));
                return value == null ? null : Collections.singletonList(value);
            }
            if (operators.containsKey("$in") && operators.get("$in") instanceof Collection) {
                List<Object> values = new ArrayList<>();
                for (Object item : (Collection<?>) operators.get("$in")) {
                    Object value = scalar(item);
                    if (value == null) {
                        return null;
                    }
                    if (!values.contains(value)) {
                        values.add(value);
                    }
                }
                return values;
            }
            return null;
        }
        Object value = scalar(condition);
        return value == null ? null : Collections.singletonList(value);
    }

    /** The value normalised as index keys are, if it is a scalar whose equality and order an index reproduces. */
    private static Object scalar(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean
            || value instanceof java.util.Date || value instanceof java.time.Instant || value instanceof ObjectId) {
            return new KeyValue(value).normalized().get(0);
        }
        return null;
    }

    /**
     * TRUE when reading the index forwards returns `orderBy`'s order from field `from` on, FALSE when reading it
     * backwards does, null when neither does (or nothing is sorted).
     */
    private Boolean sortDirection(Document orderBy, int from) {
        if (orderBy == null || orderBy.isEmpty() || orderBy.size() > fields.length - from) {
            return null;
        }
        Boolean forwards = null;
        int i = from;
        for (String key : orderBy.keySet()) {
            Object direction = orderBy.get(key);
            if (!key.equals(fields[i]) || multikey[i] || !(direction instanceof Number)) {
                return null;
            }
            double sign = ((Number) direction).doubleValue();
            if (sign != 1 && sign != -1) {
                return null;
            }
            boolean sameWay = (sign > 0) == ascending[i];
            if (forwards != null && forwards != sameWay) {
                return null;
            }
            forwards = sameWay;
            i++;
        }
        return forwards;
    }
}
