<?php
/**
 * Summaries made in the background (WP-Cron), so neither publishing nor a bulk action waits on
 * Ringkas: on publish when the site asks for it, and for the posts an editor picks in the list.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * A failure is retried a bounded number of times, then shown in the editor's panel.
 */
final class Ringkas_Publish {
	const HOOK     = 'ringkas_summarize_post';
	const ATTEMPTS = 3;
	const BACKOFF  = 120; // Seconds before attempt n+1: n x this.

	/**
	 * @param string  $new_status New status.
	 * @param string  $old_status Old status.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( $new_status, $old_status, $post ): void {
		if ( 'publish' !== $new_status || 'publish' === $old_status || ! Ringkas_Options::supports( $post->post_type ) ) {
			return;
		}
		if ( ! Ringkas_Options::get()['on_publish'] ) {
			return;
		}
		self::queue( $post );
	}

	/**
	 * Schedules a post's summary unless it is fresh, refused as it is, or already waiting.
	 *
	 * @param WP_Post $post The post.
	 * @return bool Whether it is now waiting.
	 */
	public static function queue( WP_Post $post ): bool {
		if ( self::is_fresh( $post ) || Ringkas_Errors::refused( $post ) ) {
			return false;
		}
		if ( ! self::pending( $post->ID ) ) {
			wp_schedule_single_event( time(), self::HOOK, array( (int) $post->ID, 1 ) );
		}
		return true;
	}

	/** Whether any attempt for this post is scheduled. */
	public static function pending( int $post_id ): bool {
		for ( $attempt = 1; $attempt <= self::ATTEMPTS; $attempt++ ) {
			if ( wp_next_scheduled( self::HOOK, array( $post_id, $attempt ) ) ) {
				return true;
			}
		}
		return false;
	}

	/** A summary already made (in the panel) from this very content is kept. */
	public static function is_fresh( WP_Post $post ): bool {
		$hash = (string) get_post_meta( $post->ID, Ringkas_Meta::SOURCE_HASH, true );
		return '' !== $hash && Ringkas_Summaries::hash( $post->post_content ) === $hash;
	}

	/**
	 * @param int $post_id The post.
	 * @param int $attempt 1, 2, ...
	 */
	public static function run( $post_id, $attempt = 1 ): void {
		$post = get_post( (int) $post_id );
		if ( ! $post || in_array( $post->post_status, array( 'trash', 'auto-draft' ), true ) || self::is_fresh( $post ) ) {
			return;
		}
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->summarize( $post->post_content );
		if ( $answer['ok'] ) {
			Ringkas_Summaries::store( $post->ID, $answer['data'], $post->post_content );
			return;
		}
		// A refusal about the article, or settings only an administrator can fix: retrying will not help.
		$final = $attempt >= self::ATTEMPTS || in_array( $answer['code'], array_merge( Ringkas_Errors::FINAL, Ringkas_Errors::SETTINGS ), true );
		if ( $final ) {
			Ringkas_Errors::store( $post->ID, $answer );
			return;
		}
		wp_schedule_single_event( time() + self::BACKOFF * $attempt, self::HOOK, array( (int) $post->ID, $attempt + 1 ) );
	}
}
