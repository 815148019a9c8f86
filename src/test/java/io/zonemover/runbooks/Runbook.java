package io.zonemover.runbooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One runbook page as the tests read it: its scenario, an optional crash to stage before the steps, and its
 * ```sh blocks in order. A block right after {@code <!-- branch: NAME -->} belongs to that branch only; the
 * page is then run once per branch, each time with the blocks that belong to no branch plus that branch's.
 */
record Runbook(Path file, String scenario, Optional<Crash> crash, List<Block> blocks) {

    /** {@code <!-- setup: kill -9 at "STEP|TEXT": zonemover ... -->}: run the command, kill it at that progress line. */
    record Crash(String step, String text, String command) {
    }

    record Block(int line, String branch, List<Command> commands) {
    }

    /** One command line of a ```sh block, with what its trailing comment expects. */
    record Command(int line, String text, int expectedExit, List<String> shows) {
    }

    private static final Pattern SCENARIO = Pattern.compile("<!--\\s*scenario:\\s*([\\w-]+)\\s*-->");
    private static final Pattern CRASH = Pattern.compile(
            "<!--\\s*setup:\\s*kill -9 at \"([^\"|]+)\\|([^\"]*)\":\\s*(zonemover\\b.*?)\\s*-->");
    private static final Pattern BRANCH = Pattern.compile("<!--\\s*branch:\\s*([\\w-]+)\\s*-->");
    private static final Pattern EXIT = Pattern.compile("\\bexit\\s+(\\d+)\\b");
    private static final Pattern SHOWS = Pattern.compile("\\bshows\\s+\"([^\"]*)\"");

    static Runbook parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String text = String.join("\n", lines);
        Matcher scenario = SCENARIO.matcher(text);
        if (!scenario.find()) {
            throw new IllegalStateException(file + ": no <!-- scenario: NAME --> comment");
        }
        Matcher crash = CRASH.matcher(text);
        Optional<Crash> setup = crash.find()
                ? Optional.of(new Crash(crash.group(1), crash.group(2), crash.group(3))) : Optional.empty();

        List<Block> blocks = new ArrayList<>();
        String pendingBranch = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            Matcher branch = BRANCH.matcher(line);
            if (branch.matches()) {
                pendingBranch = branch.group(1);
                continue;
            }
            if (line.startsWith("```")) {
                String tag = line.substring(3).strip();
                int start = i;
                List<String> body = new ArrayList<>();
                for (i++; i < lines.size() && !lines.get(i).strip().startsWith("```"); i++) {
                    body.add(lines.get(i));
                }
                if (tag.equals("sh")) {
                    blocks.add(new Block(start + 1, pendingBranch, commands(body, start + 2)));
                }
                pendingBranch = null;
                continue;
            }
            if (!line.isEmpty()) {
                pendingBranch = null;
            }
        }
        return new Runbook(file, scenario.group(1), setup, blocks);
    }

    /** The branch names in page order; one empty-named path if the page has no branches. */
    List<String> paths() {
        List<String> names = blocks.stream().map(Block::branch).filter(b -> b != null).distinct().toList();
        return names.isEmpty() ? List.of("") : names;
    }

    List<Command> commandsFor(String path) {
        List<Command> out = new ArrayList<>();
        for (Block b : blocks) {
            if (b.branch() == null || b.branch().equals(path)) {
                out.addAll(b.commands());
            }
        }
        return out;
    }

    /** The {@code zonemover} lines of a block, joining backslash continuations, with their trailing comments read. */
    private static List<Command> commands(List<String> body, int firstLine) {
        List<Command> out = new ArrayList<>();
        StringBuilder pending = null;
        int pendingLine = 0;
        for (int i = 0; i < body.size(); i++) {
            String raw = body.get(i).strip();
            if (pending == null) {
                pending = new StringBuilder();
                pendingLine = firstLine + i;
            }
            if (raw.endsWith("\\")) {
                pending.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            pending.append(raw);
            String full = pending.toString().strip();
            pending = null;
            if (!full.startsWith("zonemover ") && !full.equals("zonemover")) {
                continue;
            }
            int hash = commentStart(full);
            String command = hash < 0 ? full : full.substring(0, hash).strip();
            String comment = hash < 0 ? "" : full.substring(hash + 1);
            Matcher exit = EXIT.matcher(comment);
            int expected = exit.find() ? Integer.parseInt(exit.group(1)) : 0;
            List<String> shows = new ArrayList<>();
            Matcher s = SHOWS.matcher(comment);
            while (s.find()) {
                shows.add(s.group(1));
            }
            out.add(new Command(pendingLine, command, expected, shows));
        }
        return out;
    }

    /** Index of a {@code #} that starts a shell comment: outside quotes and after whitespace. */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && i > 0 && Character.isWhitespace(line.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }

    /** Splits a command line into arguments, honouring single and double quotes (no escapes, no expansion). */
    static List<String> split(String line) {
        List<String> args = new ArrayList<>();
        StringBuilder current = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                if (current == null) {
                    current = new StringBuilder();
                }
            } else if (Character.isWhitespace(c)) {
                if (current != null) {
                    args.add(current.toString());
                    current = null;
                }
            } else {
                if (current == null) {
                    current = new StringBuilder();
                }
                current.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (current != null) {
            args.add(current.toString());
        }
        return args;
    }

    /** Replaces $NAME and ${NAME}; an unknown variable is an error, so a typo in a page cannot pass silently. */
    static String substitute(String line, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)}?").matcher(line);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("$" + m.group(1) + " is not set at: " + line + " (known: "
                        + new LinkedHashMap<>(vars).keySet() + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
