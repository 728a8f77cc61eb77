package org.e2echat.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import org.e2echat.client.crypto.CryptoException;
import org.e2echat.client.crypto.PublicIdentity;
import org.e2echat.client.crypto.WrongPassphraseException;
import org.e2echat.client.sdk.ChatApiException;
import org.e2echat.client.sdk.ChatClient;
import org.e2echat.client.sdk.ChatListener;
import org.e2echat.client.sdk.Endpoints;
import org.e2echat.client.crypto.MessageContent;
import org.e2echat.client.sdk.IdentityChange;
import org.e2echat.client.sdk.IdentityChangedException;
import org.e2echat.client.sdk.KeyPolicy;
import org.e2echat.client.sdk.KeyRenewal;
import org.e2echat.client.sdk.ReceivedMessage;

/**
 * The terminal client: every command runs on the SDK, so encryption happens here and only here.
 * The password comes from {@code E2ECHAT_PASSWORD} or standard input; it unlocks the identity
 * saved under {@code --home} (default {@code ~/.e2echat}). Exit codes: 0 ok, 1 refused by the
 * server or the network, 2 usage, 3 a contact's key changed.
 */
public final class Cli {

    static final String USAGE = """
            usage: e2echat [--home DIR] [--server HOST] [--user-service URL] [--session-service URL]
                           [--message-service URL] [--gateway URL] [--key-lifetime DURATION]
                           [--renew-within DURATION] COMMAND [ARGS]
            commands:
              register USERNAME DISPLAY-NAME   create an account with a new identity (saved encrypted in --home)
              login                            check the password and the saved identity against the server
              whoami                           your id, key version and fingerprint
              sessions                         your sessions, most recently active first
              create-group USERNAME...         a group with these users
              direct USERNAME                  the direct session with USERNAME (created once per pair)
              send SESSION TEXT...             encrypt and send a message
              read SESSION                     decrypt and show the whole history (a message that cannot be
                                               shown is listed as such; the others still are)
              chat SESSION                     live: lines you type are sent, incoming messages appear (/quit to leave);
                                               reconnects by itself and catches up if the connection drops
              add SESSION USERNAME...          add members with a new session key (they read from now on)
              remove SESSION USERNAME          remove a member (then rotate)
              rotate SESSION                   new session key for the current members
              rotate-identity                  new identity keys (sessions will need a rekey)
              safety-number USERNAME           the number to compare with USERNAME in person
              trust USERNAME                   accept USERNAME's changed key after comparing safety numbers
              delete-account                   delete your account (your messages keep your name)
            keys expire after --key-lifetime (e.g. 90d, 12h, 30m, 45s; default: never) counted from each upload;
            a key that expires within --renew-within (default 7d) is renewed by any command, which says so;
            the password is read from E2ECHAT_PASSWORD, else from the first line of standard input;
            commands continue one login (its refresh token is kept in --home, sealed with the password);
            login and chat log in afresh (user-service allows 10 logins per user per minute)""";

    private static final java.util.Set<String> COMMANDS = java.util.Set.of("login", "whoami", "sessions", "create-group",
            "direct", "send", "read", "chat", "add", "remove", "rotate", "rotate-identity", "safety-number", "trust",
            "delete-account");

    private final Map<String, String> env;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;

    public Cli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Cli(System.getenv(), System.in, System.out, System.err).run(args));
    }

    /** Runs one command; returns the exit code. Never throws for user mistakes or server refusals. */
    public int run(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Path home = Path.of(System.getProperty("user.home"), ".e2echat");
        String server = "http://127.0.0.1";
        String users = null;
        String sessions = null;
        String messages = null;
        String gateway = null;
        Duration lifetime = null;
        Duration renewWithin = KeyPolicy.DEFAULT.renewWithin();
        try {
            if (rest.isEmpty() || List.of("-h", "--help", "help").contains(rest.get(0))) {
                out.println(USAGE);
                return rest.isEmpty() ? 2 : 0;
            }
            while (!rest.isEmpty() && rest.get(0).startsWith("--")) {
                String option = rest.remove(0);
                String value = take(rest, option);
                switch (option) {
                    case "--home" -> home = Path.of(value);
                    case "--server" -> server = value.replaceAll("/+$", "");
                    case "--user-service" -> users = value;
                    case "--session-service" -> sessions = value;
                    case "--message-service" -> messages = value;
                    case "--gateway" -> gateway = value;
                    case "--key-lifetime" -> lifetime = duration(option, value);
                    case "--renew-within" -> renewWithin = duration(option, value);
                    default -> throw new Usage("unknown option " + option);
                }
            }
            if (rest.isEmpty()) {
                throw new Usage("a command is required");
            }
            Endpoints endpoints = new Endpoints(URI.create(users != null ? users : server + ":8081"),
                    URI.create(sessions != null ? sessions : server + ":8082"),
                    URI.create(messages != null ? messages : server + ":8083"),
                    URI.create(gateway != null ? gateway : server + ":8080"));
            KeyPolicy policy;
            try {
                policy = new KeyPolicy(lifetime, renewWithin);
            } catch (IllegalArgumentException e) {
                throw new Usage(e.getMessage());
            }
            return command(rest.remove(0), rest, endpoints, new Profile(home), policy);
        } catch (Usage e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (ChatApiException e) {
            err.println("error: " + describe(e));
            return 1;
        } catch (KeyChanged e) {
            var c = e.change;
            err.println("WARNING: the identity of " + e.username + " changed (key version " + c.pinnedKeyVersion()
                    + " -> " + c.newKeyVersion() + "). Compare safety numbers in person, then run: trust " + e.username);
            return 3;
        } catch (WrongPassphraseException e) {
            err.println("error: wrong password for the saved identity");
            return 1;
        } catch (IOException | UncheckedIOException | CryptoException | IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int command(String name, List<String> args, Endpoints endpoints, Profile profile, KeyPolicy policy)
            throws IOException, CryptoException, InterruptedException {
        if (name.equals("register")) {
            need(args, 2, "register USERNAME DISPLAY-NAME");
            if (profile.exists()) {
                throw new Usage("a profile already exists in this --home; use another --home");
            }
            char[] password = password();
            try (ChatClient client = ChatClient.register(endpoints, args.get(0), String.join(" ", args.subList(1, args.size())),
                    new String(password), policy)) {
                profile.save(client.userId(), client.username(), client.ownIdentity(client.publicIdentity().keyVersion()),
                        password);
                keepLogin(client, profile, password);
                out.println("registered " + client.username() + " (" + client.userId() + ")");
                out.println("fingerprint " + client.publicIdentity().fingerprintDigits());
            }
            return 0;
        }
        if (!COMMANDS.contains(name)) {
            throw new Usage("unknown command " + name);
        }
        if (!profile.exists()) {
            throw new Usage("no profile in this --home: register first");
        }
        char[] password = password();
        Profile.Saved saved = profile.load(password);
        try (ChatClient client = signIn(name, endpoints, profile, saved, password, policy)) {
            String signedInWith = client.refreshToken();
            profile.attachPins(client.tofu());
            if (client.renewalAtSignIn().isPresent()) {
                renewed(client, client.renewalAtSignIn().get(), profile, password);
            }
            try {
                run(name, args, client, profile, password);
            } catch (IdentityChangedException e) {
                throw new KeyChanged(e.change(), nameOf(client, e.change().userId()));
            }
            if (name.equals("delete-account")) {
                return 0;
            }
            if (!name.equals("chat") && !java.util.Objects.equals(signedInWith, client.refreshToken())) {
                keepLogin(client, profile, password); // a refresh during the command rotated it
            }
        }
        return 0;
    }

    private void run(String name, List<String> args, ChatClient client, Profile profile, char[] password)
            throws IOException, InterruptedException {
        switch (name) {
            case "login" -> out.println("logged in as " + client.username());
            case "whoami" -> {
                out.println(client.username() + " " + client.userId());
                out.println("key version " + client.publicIdentity().keyVersion() + ", fingerprint "
                        + client.publicIdentity().fingerprintDigits());
            }
            case "sessions" -> {
                for (JsonNode s : client.sessions().path("sessions")) {
                    out.println(s.path("id").asText() + "  " + s.path("type").asText() + "  "
                            + s.path("membership").asText() + (s.has("currentEpoch") && !s.path("currentEpoch").isNull()
                            ? "  epoch " + s.path("currentEpoch").asText() : "")
                            + (s.path("rekeyRequired").asBoolean() ? "  (rekey required)" : "")
                            + "  " + names(s.path("members")));
                }
            }
            case "create-group" -> {
                need(args, 1, "create-group USERNAME...");
                List<String> ids = new ArrayList<>();
                for (String member : args) {
                    ids.add(client.userIdOf(member));
                }
                out.println(client.createGroup(ids, Duration.ofSeconds(15)));
            }
            case "direct" -> {
                need(args, 1, "direct USERNAME");
                out.println(client.createDirect(client.userIdOf(args.get(0)), Duration.ofSeconds(15)));
            }
            case "add" -> {
                need(args, 2, "add SESSION USERNAME...");
                List<String> ids = new ArrayList<>();
                for (String member : args.subList(1, args.size())) {
                    ids.add(client.userIdOf(member));
                }
                out.println("epoch " + client.addMembers(args.get(0), ids));
            }
            case "send" -> {
                need(args, 2, "send SESSION TEXT...");
                client.unwrapOwnEnvelopes(args.get(0));
                long seq = sendRekeying(client, args.get(0), String.join(" ", args.subList(1, args.size())));
                out.println("sent #" + seq);
            }
            case "read" -> {
                need(args, 1, "read SESSION");
                client.unwrapOwnEnvelopes(args.get(0));
                for (ReceivedMessage m : client.readAll(args.get(0))) {
                    print(m);
                }
            }
            case "chat" -> chat(client, args, profile, password);
            case "remove" -> {
                need(args, 2, "remove SESSION USERNAME");
                client.removeMember(args.get(0), client.userIdOf(args.get(1)));
                out.println("removed " + args.get(1) + "; the session now needs a new key (rotate)");
            }
            case "rotate" -> {
                need(args, 1, "rotate SESSION");
                out.println("epoch " + client.rotate(args.get(0)));
            }
            case "rotate-identity" -> {
                int version = client.rotateIdentity();
                profile.save(client.userId(), client.username(), client.ownIdentity(version), password);
                out.println("identity version " + version + ", fingerprint " + client.publicIdentity().fingerprintDigits());
            }
            case "safety-number" -> {
                need(args, 1, "safety-number USERNAME");
                PublicIdentity theirs = client.currentIdentity(client.userIdOf(args.get(0)));
                out.println(client.publicIdentity().safetyNumber(theirs));
            }
            case "trust" -> {
                need(args, 1, "trust USERNAME");
                String id = client.userIdOf(args.get(0));
                try {
                    client.currentIdentity(id);
                    out.println(args.get(0) + "'s key is already trusted");
                } catch (IdentityChangedException e) {
                    client.tofu().accept(id, e.change().newKeyVersion(), e.change().newFingerprint());
                    out.println("now trusting " + args.get(0) + " key version " + e.change().newKeyVersion());
                }
            }
            case "delete-account" -> {
                client.deleteAccount(new String(password));
                profile.delete();
                out.println("account deleted");
            }
            default -> throw new Usage("unknown command " + name);
        }
    }

    /** The username for a user id, for messages that tell the person what to type; the id if it cannot be had. */
    private static String nameOf(ChatClient client, String userId) {
        try {
            return client.usernameOf(userId);
        } catch (RuntimeException e) {
            return userId;
        }
    }

    /** Saves a renewed key and tells the person (on standard error, so that command output stays parseable). */
    private void renewed(ChatClient client, KeyRenewal r, Profile profile, char[] password) throws IOException {
        profile.save(client.userId(), client.username(), client.ownIdentity(r.version()), password);
        err.println("-- your key version " + r.previousVersion() + (r.previousExpiresAt().isAfter(Instant.now())
                ? " expires at " : " expired at ") + r.previousExpiresAt() + "; renewed: key version " + r.version()
                + (r.expiresAt() == null ? "" : ", valid until " + r.expiresAt())
                + ". Your contacts will see a new key and may compare safety numbers again.");
    }

    /**
     * {@code chat} logs in on its own (a login of its own that refreshes for as long as it runs);
     * {@code login} starts the login later commands continue; every other command continues it
     * with the saved refresh token, so a burst of commands spends no login attempts.
     */
    private static ChatClient signIn(String name, Endpoints endpoints, Profile profile, Profile.Saved saved,
            char[] password, KeyPolicy policy) throws IOException {
        String pw = new String(password);
        if (name.equals("chat")) {
            return ChatClient.restore(endpoints, saved.userId(), saved.username(), pw, saved.identities(), policy);
        }
        return profile.underLoginLock(() -> {
            String token = name.equals("login") ? null : profile.loginToken(password);
            ChatClient client = token == null
                    ? ChatClient.restore(endpoints, saved.userId(), saved.username(), pw, saved.identities(), policy)
                    : ChatClient.resume(endpoints, saved.userId(), saved.username(), pw, saved.identities(), token,
                            policy);
            if (client.refreshToken() != null) {
                profile.saveLoginToken(client.refreshToken(), password);
            }
            return client;
        });
    }

    private static void keepLogin(ChatClient client, Profile profile, char[] password) throws IOException {
        String token = client.refreshToken();
        if (token != null) {
            profile.underLoginLock(() -> {
                profile.saveLoginToken(token, password);
                return null;
            });
        }
    }

    /** Sends; when the session needs a new key first, rotates (first wins) and sends again. */
    private static long sendRekeying(ChatClient client, String sessionId, String text) {
        try {
            return client.send(sessionId, text);
        } catch (ChatApiException e) {
            if (!e.is(409, "rekey-required")) {
                throw e;
            }
            client.rotate(sessionId);
            return client.send(sessionId, text);
        }
    }

    private void chat(ChatClient client, List<String> args, Profile profile, char[] password) throws IOException {
        need(args, 1, "chat SESSION");
        String sessionId = args.get(0);
        client.unwrapOwnEnvelopes(sessionId);
        // catch up into the client's timeline (not a separate read), so that live frames continue it
        // instead of paging the history again and showing it twice
        client.catchUp(sessionId);
        client.messages(sessionId).forEach(this::print);
        client.addListener(new ChatListener() {
            @Override
            public void onMessage(ReceivedMessage message) {
                if (message.sessionId().equals(sessionId) && !message.senderId().equals(client.userId())) {
                    print(message);
                }
            }

            @Override
            public void onTimelineRepaired(String repaired, long fromSeq) {
                if (repaired.equals(sessionId)) {
                    out.println("-- the server's history differs from what was shown from #" + fromSeq
                            + "; its messages follow");
                }
            }

            @Override
            public void onReconnecting(int attempt, Duration delay, Throwable cause) {
                err.printf("-- connection lost; reconnecting in %.1f s%s%n", delay.toMillis() / 1000.0,
                        cause == null ? "" : " (attempt " + attempt + ": " + brief(cause) + ")");
            }

            @Override
            public void onReconnected(int attempt) {
                out.println("-- reconnected");
            }

            @Override
            public void onIdentityRenewed(KeyRenewal renewal) {
                try {
                    renewed(client, renewal, profile, password);
                } catch (IOException e) {
                    err.println("error: the renewed key could not be saved: " + e.getMessage());
                }
            }
        });
        client.stayConnected();
        out.println("-- connected; type to send, /quit to leave");
        String line;
        while ((line = in.readLine()) != null && !line.equals("/quit")) {
            if (!line.isBlank()) {
                try {
                    out.println("sent #" + sendRekeying(client, sessionId, line));
                } catch (ChatApiException e) {
                    err.println("error: " + describe(e));
                }
            }
        }
        client.disconnect();
    }

    private static String brief(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /**
     * One message as a line: its text; a message of another content type as what it is; one that
     * cannot be shown as why ("#5 from bob: could not be verified — not shown").
     */
    private void print(ReceivedMessage m) {
        String name = m.senderDisplayName() != null ? m.senderDisplayName()
                : m.senderUsername() != null ? m.senderUsername() : m.senderId();
        if (!m.readable()) {
            String who = m.senderUsername() != null ? m.senderUsername() : m.senderId();
            out.println("#" + m.seq() + " from " + who + ": " + m.unreadable().description() + " \u2014 not shown");
        } else if (MessageContent.TYPE_TEXT.equals(m.type()) && m.text() != null) {
            out.println("#" + m.seq() + " " + name + ": " + m.text());
        } else {
            out.println("#" + m.seq() + " " + name + ": [a \"" + m.type() + "\" message; this client shows text only]");
        }
    }

    private static Duration duration(String option, String value) {
        try {
            if (value.matches("\\d+[smhd]")) {
                long n = Long.parseLong(value.substring(0, value.length() - 1));
                return switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new Usage(option + " needs a duration like 90d, 12h, 30m or 45s");
        }
    }

    private static String names(JsonNode members) {
        List<String> names = new ArrayList<>();
        members.forEach(m -> names.add(m.path("username").asText() + (m.path("deleted").asBoolean() ? " (deleted)" : "")));
        return String.join(", ", names);
    }

    private char[] password() throws IOException {
        String fromEnv = env.get("E2ECHAT_PASSWORD");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        String line = in.readLine();
        if (line == null || line.isEmpty()) {
            throw new Usage("no password: set E2ECHAT_PASSWORD or type it on the first line");
        }
        return line.toCharArray();
    }

    private static String describe(ChatApiException e) {
        JsonNode p = e.problem();
        String title = p.path("title").asText("refused");
        String detail = p.path("detail").asText("");
        return title + (detail.isEmpty() ? "" : ": " + detail) + " (" + e.status() + ")";
    }

    private static void need(List<String> args, int count, String usage) {
        if (args.size() < count) {
            throw new Usage("usage: " + usage);
        }
    }

    private static String take(List<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new Usage(option + " needs a value");
        }
        return rest.remove(0);
    }

    /** A contact's key changed; carries the username that {@code trust} expects. */
    static final class KeyChanged extends RuntimeException {
        final IdentityChange change;
        final String username;

        KeyChanged(IdentityChange change, String username) {
            super("key changed", null, false, false);
            this.change = change;
            this.username = username;
        }
    }

    /** A mistake in how the CLI was called. */
    static final class Usage extends RuntimeException {
        Usage(String message) {
            super(message, null, false, false);
        }
    }
}
