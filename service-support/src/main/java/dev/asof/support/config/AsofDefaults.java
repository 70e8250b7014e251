package dev.asof.support.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * Adds {@code asof-defaults.yml} (what every service shares: Kafka client settings, local endpoints, actuator
 * exposure) as the property source of lowest precedence, so a service's own {@code application.yml}, the
 * environment and the command line all override it. ({@code spring.config.import} would do the opposite: an
 * imported file outranks the file that imports it.)
 */
public class AsofDefaults implements EnvironmentPostProcessor, Ordered {

    static final String RESOURCE = "asof-defaults.yml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            List<PropertySource<?>> sources =
                    new YamlPropertySourceLoader().load("asof-defaults", new ClassPathResource(RESOURCE));
            sources.forEach(source -> environment.getPropertySources().addLast(source));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
