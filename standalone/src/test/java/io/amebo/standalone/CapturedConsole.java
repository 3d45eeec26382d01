package io.amebo.standalone;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches what this JVM prints on standard output, where the product logs (logback's console appender writes to
 * whatever {@code System.out} is at each write, so a tee installed before the product starts sees every line, also
 * after Spring Boot configures logging again). Everything still reaches the real standard output; only the lines
 * worth checking are kept: warnings, errors and the product's start announcement.
 */
final class CapturedConsole {

    private static final int MAX_LINES = 10_000;
    private static final List<String> lines = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private CapturedConsole() {}

    /** Starts watching (once per JVM). */
    static synchronized void install() {
        if (installed) {
            return;
        }
        PrintStream original = System.out;
        System.setOut(new PrintStream(new Tee(original), true, StandardCharsets.UTF_8));
        installed = true;
    }

    /** The lines kept so far, in the order printed. */
    static List<String> lines() {
        return List.copyOf(lines);
    }

    private static void keep(String line) {
        boolean worth = line.contains(" WARN ")
                || line.contains(" ERROR ")
                || line.contains("Amebo is ready at")
                || line.contains("UNKNOWN_TOPIC_OR_PARTITION");
        if (worth && lines.size() < MAX_LINES) {
            lines.add(line);
        }
    }

    /** Forwards every byte and splits a copy into lines. */
    private static final class Tee extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Tee(PrintStream original) {
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            collect(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            original.write(bytes, offset, length);
            for (int i = offset; i < offset + length; i++) {
                collect(bytes[i]);
            }
        }

        @Override
        public void flush() {
            original.flush();
        }

        private void collect(int b) {
            if (b == '\n') {
                keep(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (line.size() < 64 * 1024) {
                line.write(b);
            }
        }
    }
}
