package dev.asof.console.web;

import dev.asof.console.api.AsofApi;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * A page or export that cannot be made without a service (the CSV export, the report) answers {@code 503} with a
 * page naming the service; pages with several panels show the missing one as unavailable instead.
 */
@ControllerAdvice
class UnavailablePages {

    @ExceptionHandler(AsofApi.Unavailable.class)
    @ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
    String unavailable(AsofApi.Unavailable e, Model model) {
        model.addAttribute("status", 503);
        model.addAttribute("message", e.getMessage() + ". Try again in a moment.");
        return "error";
    }
}
