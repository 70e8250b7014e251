package dev.asof.bench;

/** Command-line options of the benchmark programs: {@code --name value}. */
final class Args {

    private final String[] args;

    Args(String[] args) {
        this.args = args.clone();
    }

    int integer(String name, int defaultValue) {
        String value = value(name);
        return value == null ? defaultValue : Integer.parseInt(value);
    }

    /** Whether the bare option {@code name} is given. */
    boolean flag(String name) {
        return java.util.Arrays.asList(args).contains(name);
    }

    String value(String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }
}
