package dev.asof.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The runtimes the stack needs besides the JVM it runs in. */
final class Toolchain {

    static final int MIN_JAVA = 17;
    static final int MIN_NODE = 20;

    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.");

    private Toolchain() {}

    /** Fails with a message saying what to install when Java or Node.js is missing or too old. */
    static void requireJavaAndNode() throws StackException {
        int java = Runtime.version().feature();
        if (java < MIN_JAVA) {
            throw new StackException("Java " + MIN_JAVA + "+ is required, this is Java " + java);
        }
        int node = nodeMajorVersion();
        if (node < MIN_NODE) {
            throw new StackException("Node.js " + MIN_NODE + "+ is required for dynalite, `node --version` says " + node
                    + "; install a current Node.js (https://nodejs.org) and try again");
        }
    }

    /** The major version {@code node --version} reports. */
    static int nodeMajorVersion() throws StackException {
        String output;
        try {
            Process node = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!node.waitFor(10, TimeUnit.SECONDS) || node.exitValue() != 0) {
                throw new StackException("`node --version` failed: " + output);
            }
        } catch (IOException e) {
            throw new StackException("Node.js " + MIN_NODE + "+ is required for dynalite, but `node` is not on the"
                    + " PATH; install it (https://nodejs.org) and try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while checking the Node.js version");
        }
        Matcher matcher = VERSION.matcher(output);
        if (!matcher.lookingAt()) {
            throw new StackException("cannot read the Node.js version from `node --version`: " + output);
        }
        return Integer.parseInt(matcher.group(1));
    }
}
