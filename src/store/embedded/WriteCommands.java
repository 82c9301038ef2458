import java.util.List;
import java.util.Locale;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Which commands change more than documents, so that they take a checkpoint of the store (see DurableCommits):
 * the write-ahead log holds only documents.
 *
 * Listed the other way round: the commands known to only read, and those known to change documents only (whose
 * changes the log holds). Anything else, including a command these lists have never heard of, takes a checkpoint,
 * because one that was not needed costs a little time while one that was needed and skipped loses data.
 */
final class WriteCommands {

    private static final Set<String> READ_ONLY = Set.of(
        "hello", "ismaster", "ping", "buildinfo", "getlasterror", "getparameter", "getcmdlineopts", "hostinfo",
        "serverstatus", "connectionstatus", "whatsmyuri", "getfreemonitoringstatus", "getlog", "currentop",
        "saslstart", "saslcontinue", "authenticate", "logout", "endsessions", "killcursors", "killallsessions",
        "find", "getmore", "count", "distinct", "listcollections", "listindexes", "listdatabases", "dbstats",
        "collstats", "validate", "explain");

    /** Commands that change documents and nothing else: every change they make goes through the log. */
    private static final Set<String> DOCUMENTS_ONLY = Set.of("insert", "update", "delete", "findandmodify");

    private WriteCommands() {
    }

    static boolean changesMoreThanDocuments(String command, Document query) {
        String name = command.toLowerCase(Locale.ROOT);
        if (name.equals("aggregate")) {
            return writesOutput(query.get("pipeline"));
        }
        return !READ_ONLY.contains(name) && !DOCUMENTS_ONLY.contains(name);
    }

    /** An aggregation writes only through a final $out or $merge stage. */
    private static boolean writesOutput(Object pipeline) {
        if (!(pipeline instanceof List<?> stages)) {
            return true;
        }
        for (Object stage : stages) {
            if (stage instanceof Document document && (document.containsKey("$out") || document.containsKey("$merge"))) {
                return true;
            }
        }
        return false;
    }
}
