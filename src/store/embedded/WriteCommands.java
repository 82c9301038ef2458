import java.util.List;
import java.util.Locale;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Which commands can change data, so that only those wait for a durable commit.
 *
 * Listed the other way round: the commands known to only read. Anything else, including a command this list has
 * never heard of, counts as a write, because waiting for a commit that was not needed costs a little time while
 * skipping one that was needed loses data.
 */
final class WriteCommands {

    private static final Set<String> READ_ONLY = Set.of(
        "hello", "ismaster", "ping", "buildinfo", "getlasterror", "getparameter", "getcmdlineopts", "hostinfo",
        "serverstatus", "connectionstatus", "whatsmyuri", "getfreemonitoringstatus", "getlog", "currentop",
        "saslstart", "saslcontinue", "authenticate", "logout", "endsessions", "killcursors", "killallsessions",
        "find", "getmore", "count", "distinct", "listcollections", "listindexes", "listdatabases", "dbstats",
        "collstats", "validate", "explain");

    private WriteCommands() {
    }

    static boolean mayWrite(String command, Document query) {
        String name = command.toLowerCase(Locale.ROOT);
        if (name.equals("aggregate")) {
            return writesOutput(query.get("pipeline"));
        }
        return !READ_ONLY.contains(name);
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
