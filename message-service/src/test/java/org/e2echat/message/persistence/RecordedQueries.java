package org.e2echat.message.persistence;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;

/** Records the filter of every read, update and delete the service sends to the messages collection. */
@ApplicationScoped
public class RecordedQueries implements CommandListener {

    private static final List<String> FILTERED = List.of("find", "count", "aggregate", "update", "delete",
            "findAndModify");

    private final List<BsonDocument> filters = new CopyOnWriteArrayList<>();

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String name = event.getCommandName();
        // the event's document is backed by a buffer released after this call: keep a copy
        BsonDocument command = event.getCommand().clone();
        if (!FILTERED.contains(name) || !"messages".equals(command.getString(name, null) == null ? null
                : command.getString(name).getValue())) {
            return;
        }
        switch (name) {
            case "update" -> command.getArray("updates").forEach(u -> filters.add(u.asDocument().getDocument("q")));
            case "delete" -> command.getArray("deletes").forEach(d -> filters.add(d.asDocument().getDocument("q")));
            case "aggregate" -> filters.add(new BsonDocument("pipeline", command.getArray("pipeline")));
            case "findAndModify" -> filters.add(command.getDocument("query", new BsonDocument()));
            default -> filters.add(command.getDocument(name.equals("count") ? "query" : "filter", new BsonDocument()));
        }
    }

    public List<BsonDocument> filters() {
        return List.copyOf(filters);
    }

    public void clear() {
        filters.clear();
    }
}
