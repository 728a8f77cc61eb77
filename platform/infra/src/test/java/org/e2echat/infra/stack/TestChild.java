package org.e2echat.infra.stack;

import java.io.IOException;

/** A trivial process for supervisor tests: {@code exit N} exits at once with N; {@code wait} runs until its stdin closes. */
public final class TestChild {

    private TestChild() {
    }

    public static void main(String[] args) throws IOException {
        if (args[0].equals("exit")) {
            System.exit(Integer.parseInt(args[1]));
        }
        while (System.in.read() >= 0) {
            // the parent never writes; end of stream means it has gone
        }
    }

    /** Starts it on this JVM's java launcher and classpath. */
    static Process start(String... args) throws IOException {
        String[] command = new String[args.length + 4];
        command[0] = ServiceProcess.javaBinary();
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = TestChild.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
