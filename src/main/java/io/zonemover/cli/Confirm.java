package io.zonemover.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The one question every changing command asks; `--yes` answers it for scripts, no input means no. */
final class Confirm {

    private Confirm() {
    }

    static boolean ask(InputStream in, PrintWriter out, String question, boolean yes) {
        if (yes) {
            return true;
        }
        out.print(question + " [y/N] ");
        out.flush();
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            return line != null && (line.trim().equalsIgnoreCase("y") || line.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }
}
