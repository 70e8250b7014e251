package dev.asof.merge.identity;

import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

    @Bean
    IdentityLog identityLog(EventLog log, IdentityLinks links) {
        return new IdentityLog(log, links);
    }

    @Bean
    IdentityCommands identityCommands(IdentityLog log, ProfileEventSubmitter submitter) {
        return new IdentityCommands(log, submitter);
    }
}
