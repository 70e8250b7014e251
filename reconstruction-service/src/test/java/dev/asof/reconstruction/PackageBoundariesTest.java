package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature boundaries of this service, checked on its sources (ArchUnit is not available to this build): the
 * state reader and the resilience plumbing know nothing of the features built on them, and no feature's core
 * knows its web or Kafka edge.
 */
class PackageBoundariesTest {

    private static final String BASE = "dev.asof.reconstruction";
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(dev\\.asof\\.reconstruction\\.[\\w.]+);", Pattern.MULTILINE);

    @Test
    void lowerLayersDoNotKnowTheFeatures() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source source : sources()) {
            for (String imported : source.imports()) {
                if (in(source.pkg(), "state") && inAny(imported, "profile", "history", "snapshot", "web")) {
                    violations.add(source + " -> " + imported);
                }
                if (in(source.pkg(), "resilience")
                        && inAny(imported, "profile", "history", "snapshot", "state", "web")) {
                    violations.add(source + " -> " + imported);
                }
                if (in(source.pkg(), "web") && inAny(imported, "profile", "history", "snapshot", "state")) {
                    violations.add(source + " -> " + imported);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void aFeaturesCoreDoesNotKnowItsEdges() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source source : sources()) {
            boolean core = !source.pkg().endsWith(".web") && !source.pkg().endsWith(".kafka");
            for (String imported : source.imports()) {
                String importedPackage = imported.substring(0, imported.lastIndexOf('.'));
                if (core
                        && (importedPackage.endsWith(".web") || importedPackage.endsWith(".kafka"))
                        && !importedPackage.equals(BASE + ".web")) {
                    violations.add(source + " -> " + imported);
                }
            }
            if (core && source.text().contains("org.springframework.web.bind.annotation")) {
                violations.add(source + " uses Spring MVC annotations outside a web edge");
            }
        }
        assertThat(violations).isEmpty();
    }

    private record Source(Path path, String pkg, String text, List<String> imports) {
        @Override
        public String toString() {
            return pkg + "." + path.getFileName().toString().replace(".java", "");
        }
    }

    private static boolean in(String pkg, String feature) {
        return pkg.equals(BASE + "." + feature) || pkg.startsWith(BASE + "." + feature + ".");
    }

    private static boolean inAny(String imported, String... features) {
        for (String feature : features) {
            if (imported.startsWith(BASE + "." + feature + ".")) {
                return true;
            }
        }
        return false;
    }

    private static List<Source> sources() throws IOException {
        Path root = Path.of("src/main/java/dev/asof/reconstruction");
        assertThat(root).isDirectory();
        List<Source> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE)
                        .matcher(text);
                List<String> imports = new ArrayList<>();
                Matcher imported = IMPORT.matcher(text);
                while (imported.find()) {
                    imports.add(imported.group(1));
                }
                sources.add(new Source(file, pkg.find() ? pkg.group(1) : "", text, imports));
            }
        }
        return sources;
    }
}
