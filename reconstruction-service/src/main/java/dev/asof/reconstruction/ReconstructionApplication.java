package dev.asof.reconstruction;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Point-in-time customer profiles, rebuilt from the immutable log. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ReconstructionApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReconstructionApplication.class, args);
    }
}
