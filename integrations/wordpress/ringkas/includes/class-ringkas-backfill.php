<?php
/**
 * The archive: every published post of the chosen types without a summary, summarized as one Ringkas
 * archive job (/v1/jobs), its results written back into post meta as they finish. Resumable (the
 * next item index is kept), safe to start twice (a running job is followed, not doubled; a post that
 * has a summary is never sent again nor overwritten), and a post the service refused is not resent
 * until it is edited. A start that fails keeps the previous job's figures.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The archive job's state, its start, cancel and tick (WP-Cron, and each poll of the live page).
 */
final class Ringkas_Backfill {
	const STATE      = 'ringkas_backfill';
	const HOOK       = 'ringkas_backfill_tick';
	const MAX_ITEMS  = 1000; // Per job; the rest goes in the next one.
	const MAX_LISTED = 100;  // Failed posts remembered for the page.

	/**
	 * Published posts that have no summary yet and were not refused as they are.
	 *
	 * @param int         $limit     At most this many.
	 * @param string|null $post_type One type, or every chosen type.
	 * @return WP_Post[]
	 */
	public static function pending_posts( int $limit, ?string $post_type = null ): array {
		$types = null === $post_type ? Ringkas_Options::post_types() : array_intersect( array( $post_type ), Ringkas_Options::post_types() );
		if ( ! $types ) {
			return array();
		}
		return get_posts(
			array(
				'post_type'      => array_values( $types ),
				'post_status'    => 'publish',
				'posts_per_page' => $limit,
				'orderby'        => 'ID',
				'order'          => 'ASC',
				'meta_query'     => array( // phpcs:ignore WordPress.DB.SlowDBQuery -- a one-off admin action.
					array(
						'key'     => Ringkas_Meta::SUMMARY,
						'compare' => 'NOT EXISTS',
					),
					array(
						'key'     => Ringkas_Meta::REFUSED,
						'compare' => 'NOT EXISTS',
					),
				),
			)
		);
	}

	public static function state(): array {
		$state = get_option( self::STATE, array() );
		return is_array( $state ) ? $state : array();
	}

	private static function save( array $state ): void {
		update_option( self::STATE, $state, false );
	}

	/**
	 * Sends a job unless one is running (then it is followed, not doubled).
	 *
	 * @param string|null $post_type One type, or every chosen type.
	 * @return string started, running, nothing or failed.
	 */
	public static function begin( ?string $post_type = null ): string {
		$state = self::state();
		if ( 'running' === ( $state['status'] ?? '' ) ) {
			return 'running';
		}
		$posts = self::pending_posts( self::MAX_ITEMS, $post_type );
		if ( ! $posts ) {
			unset( $state['start_error'] );
			self::save( $state );
			return 'nothing';
		}
		return self::submit( $posts );
	}

	/**
	 * @param WP_Post[] $posts The posts to send.
	 * @return string started or failed.
	 */
	public static function submit( array $posts ): string {
		$items  = array_map(
			static function ( WP_Post $post ) {
				return array( 'id' => (int) $post->ID, 'html' => $post->post_content );
			},
			$posts
		);
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->submit_job( $items );
		$state  = self::state();
		if ( ! $answer['ok'] ) {
			// The previous job's figures stay; the failed start is said beside them.
			$state['start_error'] = Ringkas_Errors::record( $answer );
			self::save( $state );
			return 'failed';
		}
		self::save(
			array(
				'job_id'  => (string) $answer['data']['id'],
				'total'   => count( $items ),
				'since'   => 0,
				'written' => 0,
				'failed'  => 0,
				'refused' => 0,
				'failures' => array(),
				'status'  => 'running',
				'started' => time(),
				'service' => array( 'status' => (string) ( $answer['data']['status'] ?? 'queued' ) ),
			)
		);
		wp_schedule_single_event( time() + 30, self::HOOK );
		return 'started';
	}

	/** Asks the service to stop the job: what has not started is skipped, finished results stay. */
	public static function cancel(): string {
		$state = self::state();
		if ( 'running' !== ( $state['status'] ?? '' ) ) {
			return 'idle';
		}
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->cancel_job( $state['job_id'] );
		if ( ! $answer['ok'] && 404 !== $answer['status'] ) {
			return 'failed';
		}
		self::tick(); // Collects what finished before the cancel.
		$state           = self::state();
		$state['status'] = 'cancelled';
		self::save( $state );
		wp_clear_scheduled_hook( self::HOOK );
		return 'cancelled';
	}

	/** Writes the results finished since the last tick; keeps ticking while the job runs. */
	public static function tick(): void {
		$state = self::state();
		if ( empty( $state['job_id'] ) || 'running' !== ( $state['status'] ?? '' ) ) {
			return;
		}
		$client  = new Ringkas_Client( Ringkas_Options::get() );
		$results = $client->job_results( $state['job_id'], (int) $state['since'] );
		if ( $results['ok'] ) {
			foreach ( $results['data']['lines'] as $line ) {
				self::write( $line, $state );
			}
			$state['since'] = max( (int) $state['since'], (int) $results['data']['next'] );
		}
		$job = $client->job( $state['job_id'] );
		if ( $job['ok'] ) {
			$state['service'] = array(
				'status'  => (string) ( $job['data']['status'] ?? '' ),
				'workers' => (int) ( $job['data']['workers'] ?? 0 ),
				'eta_s'   => $job['data']['eta_s'] ?? null,
			);
			unset( $state['unreachable'] );
		} elseif ( 404 !== $job['status'] ) {
			$state['unreachable'] = Ringkas_Errors::record( $job );
		}
		$service_status = $job['ok'] ? (string) ( $job['data']['status'] ?? '' ) : '';
		if ( 'cancelled' === $service_status ) {
			$state['status'] = 'cancelled'; // Here or at the service: what never started stays unsent.
		} elseif ( ( 'done' === $service_status && $state['since'] >= $state['total'] ) || ( ! $job['ok'] && 404 === $job['status'] ) ) {
			$state['status'] = 'finished';
		} elseif ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_single_event( time() + 60, self::HOOK );
		}
		self::save( $state );
	}

	/**
	 * One result line into its post (never over a summary made meanwhile).
	 *
	 * @param array $line  A JobResultLine.
	 * @param array $state The job's state, counted into.
	 */
	private static function write( array $line, array &$state ): void {
		$post = get_post( (int) ( $line['id'] ?? 0 ) );
		if ( ! $post || '' !== (string) get_post_meta( $post->ID, Ringkas_Meta::SUMMARY, true ) ) {
			return; // Gone, or summarized meanwhile: never overwritten.
		}
		if ( 'done' === ( $line['status'] ?? '' ) && isset( $line['result'] ) ) {
			Ringkas_Summaries::store( $post->ID, $line['result'], $post->post_content );
			++$state['written'];
			return;
		}
		$problem = (array) ( $line['problem'] ?? array() );
		$failure = Ringkas_Client::problem( (int) ( $problem['status'] ?? 0 ), $problem );
		Ringkas_Errors::store( $post->ID, $failure );
		++$state['failed'];
		if ( in_array( $failure['code'], Ringkas_Errors::FINAL, true ) ) {
			$state['refused'] = (int) ( $state['refused'] ?? 0 ) + 1;
		}
		if ( count( $state['failures'] ?? array() ) < self::MAX_LISTED ) {
			$state['failures'][] = array( 'id' => (int) $post->ID, 'code' => $failure['code'], 'facts' => $failure['facts'] );
		}
	}

	/**
	 * The live page's view: figures, the service's own state, and every notice worded now.
	 */
	public static function view(): array {
		$state   = self::state();
		$service = (array) ( $state['service'] ?? array() );
		$running = 'running' === ( $state['status'] ?? '' );
		$view    = array(
			'status'   => (string) ( $state['status'] ?? 'none' ),
			'pending'  => count( self::pending_posts( self::MAX_ITEMS ) ),
			'total'    => (int) ( $state['total'] ?? 0 ),
			'written'  => (int) ( $state['written'] ?? 0 ),
			'failed'   => (int) ( $state['failed'] ?? 0 ),
			'refused'  => (int) ( $state['refused'] ?? 0 ),
			'service'  => $service,
			'notices'  => array(),
			'failures' => array(),
		);
		if ( $running && isset( $state['unreachable'] ) ) {
			$view['notices'][] = array( 'error', Ringkas_Errors::message( $state['unreachable']['code'], $state['unreachable']['facts'] ) );
		} elseif ( $running && 'queued' === ( $service['status'] ?? '' ) && isset( $service['workers'] ) && 0 === (int) $service['workers'] ) {
			$view['notices'][] = array( 'warning', __( 'The job is queued, but the Ringkas service has no worker running: nothing will be summarized until its operator starts one.', 'ringkas' ) );
		} elseif ( $running && 'queued' === ( $service['status'] ?? '' ) ) {
			$view['notices'][] = array( 'info', __( 'The job is queued at the Ringkas service and starts when a worker is free.', 'ringkas' ) );
		}
		if ( isset( $state['start_error'] ) ) {
			/* translators: %s: why, e.g. "The Ringkas service cannot be reached." */
			$view['notices'][] = array( 'error', sprintf( __( 'The last start failed: %s The figures below are from the previous job.', 'ringkas' ), Ringkas_Errors::message( $state['start_error']['code'], $state['start_error']['facts'] ) ) );
		}
		foreach ( (array) ( $state['failures'] ?? array() ) as $failure ) {
			$post = get_post( (int) $failure['id'] );
			if ( ! $post ) {
				continue;
			}
			$view['failures'][] = array(
				'title'   => get_the_title( $post ) ? get_the_title( $post ) : __( '(no title)', 'ringkas' ),
				'link'    => (string) get_edit_post_link( $post->ID, 'raw' ),
				'message' => Ringkas_Errors::message( (string) $failure['code'], (array) $failure['facts'] ),
				'final'   => in_array( $failure['code'], Ringkas_Errors::FINAL, true ),
			);
		}
		return $view;
	}
}
