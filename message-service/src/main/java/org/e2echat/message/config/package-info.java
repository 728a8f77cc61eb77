/** Typed configuration of message-service ({@code @ConfigMapping} interfaces). */
package org.e2echat.message.config;
