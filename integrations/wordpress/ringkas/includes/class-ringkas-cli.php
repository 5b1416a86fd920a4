<?php
/**
 * `wp ringkas summarize <ids>...`, `wp ringkas backfill [--post_type=<type>]`, `wp ringkas status`.
 * The same rules as the archive job and the bulk action (chosen types, never over a fresh summary,
 * not resending what the service refused). Each command's logic returns lines and a count, so it
 * runs (and is tested) without WP-CLI; WP-CLI only prints them.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Manage Ringkas summaries.
 */
final class Ringkas_CLI {
	/**
	 * Summarizes the given posts now, one after the other.
	 *
	 * @param int[] $ids Post IDs.
	 * @return array{lines: string[], failed: int}
	 */
	public static function summarize_posts( array $ids ): array {
		$lines  = array();
		$failed = 0;
		$client = new Ringkas_Client( Ringkas_Options::get() );
		foreach ( $ids as $id ) {
			$post = get_post( (int) $id );
			if ( ! $post || ! Ringkas_Options::supports( $post->post_type ) ) {
				$lines[] = sprintf( '%d: not a post of a type Ringkas works on', (int) $id );
				++$failed;
				continue;
			}
			if ( Ringkas_Publish::is_fresh( $post ) ) {
				$lines[] = sprintf( '%d: up to date, kept', $post->ID );
				continue;
			}
			if ( Ringkas_Errors::refused( $post ) ) {
				$lines[] = sprintf( '%d: refused by the service as it is, not sent again (edit it first)', $post->ID );
				continue;
			}
			$answer = $client->summarize( $post->post_content );
			if ( $answer['ok'] ) {
				Ringkas_Summaries::store( $post->ID, $answer['data'], $post->post_content );
				$lines[] = sprintf( '%d: summarized', $post->ID );
			} else {
				Ringkas_Errors::store( $post->ID, $answer );
				$lines[] = sprintf( '%d: failed: %s', $post->ID, Ringkas_Errors::message( $answer['code'], $answer['facts'], true ) );
				++$failed;
			}
		}
		return array( 'lines' => $lines, 'failed' => $failed );
	}

	/**
	 * Counts by state (none, fresh, stale, failed) per chosen type, and the archive job.
	 *
	 * @return array{lines: string[], counts: array}
	 */
	public static function status_lines(): array {
		$counts = array();
		$lines  = array();
		foreach ( Ringkas_Options::post_types() as $type ) {
			$counts[ $type ] = array( 'none' => 0, 'fresh' => 0, 'stale' => 0, 'failed' => 0 );
			$ids             = get_posts( array( 'post_type' => $type, 'post_status' => 'publish', 'posts_per_page' => -1, 'fields' => 'ids' ) );
			foreach ( $ids as $id ) {
				++$counts[ $type ][ Ringkas_Summaries::state( get_post( $id ) ) ];
			}
			$lines[] = sprintf( '%s: %d fresh, %d stale, %d failed, %d without a summary', $type, $counts[ $type ]['fresh'], $counts[ $type ]['stale'], $counts[ $type ]['failed'], $counts[ $type ]['none'] );
		}
		$state = Ringkas_Backfill::state();
		if ( ! empty( $state['job_id'] ) ) {
			$lines[] = sprintf( 'archive job %s: %s, %d written, %d failed, of %d', $state['job_id'], $state['status'], $state['written'], $state['failed'], $state['total'] );
		}
		return array( 'lines' => $lines, 'counts' => $counts );
	}

	/**
	 * Summarizes the given posts now.
	 *
	 * ## OPTIONS
	 *
	 * <id>...
	 * : Post IDs.
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function summarize( $args, $assoc_args ): void {
		$done = self::summarize_posts( array_map( 'intval', $args ) );
		array_map( array( 'WP_CLI', 'log' ), $done['lines'] );
		$done['failed'] ? WP_CLI::error( sprintf( '%d failed', $done['failed'] ) ) : WP_CLI::success( 'done' );
	}

	/**
	 * Sends every published post without a summary as one archive job (or follows the running one).
	 *
	 * ## OPTIONS
	 *
	 * [--post_type=<type>]
	 * : Only this type (one of the chosen ones).
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function backfill( $args, $assoc_args ): void {
		$outcome = Ringkas_Backfill::begin( isset( $assoc_args['post_type'] ) ? (string) $assoc_args['post_type'] : null );
		'failed' === $outcome ? WP_CLI::error( 'the job could not be sent' ) : WP_CLI::success( $outcome );
	}

	/**
	 * Summaries by state, per post type, and the archive job.
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function status( $args, $assoc_args ): void {
		Ringkas_Backfill::tick();
		array_map( array( 'WP_CLI', 'log' ), self::status_lines()['lines'] );
	}
}
