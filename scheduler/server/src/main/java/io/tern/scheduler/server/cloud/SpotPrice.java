package io.tern.scheduler.server.cloud;

import java.time.Instant;

/**
 * One spot price observation.
 *
 * @param instanceType the instance type
 * @param zone the availability zone
 * @param pricePerHourUsd the price per instance-hour in US dollars
 * @param at when this price took effect
 */
public record SpotPrice(String instanceType, String zone, double pricePerHourUsd, Instant at) {}
