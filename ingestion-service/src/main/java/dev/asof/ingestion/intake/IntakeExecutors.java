package dev.asof.ingestion.intake;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The bounded pool intake claims ledger entries on ({@code asof.intake.claim-parallelism} threads). */
@Configuration
class IntakeExecutors {

    @Bean(destroyMethod = "shutdown")
    ExecutorService intakeClaimers(IntakeProperties properties) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.claimParallelism(), task -> {
            Thread thread = new Thread(task, "intake-claim-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}
