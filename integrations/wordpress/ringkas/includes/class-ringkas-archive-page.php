<?php
/**
 * Tools → Ringkas: the archive job's live page. The page is a frame; assets/archive.js fills it from
 * GET /ringkas/v1/archive (polled while a job runs) and starts or cancels through the same route.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The page and its words.
 */
final class Ringkas_Archive_Page {
	const PAGE = 'ringkas-backfill';

	public static function menu(): void {
		add_management_page( __( 'Ringkas archive', 'ringkas' ), __( 'Ringkas', 'ringkas' ), 'manage_options', self::PAGE, array( self::class, 'render' ) );
	}

	public static function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		wp_enqueue_script( 'ringkas-archive', plugins_url( 'assets/archive.js', RINGKAS_FILE ), array( 'wp-api-fetch' ), RINGKAS_VERSION, true );
		wp_localize_script(
			'ringkas-archive',
			'ringkasArchive',
			array(
				'initial'     => Ringkas_Backfill::view(),
				/* translators: %d: number of posts */
				'pending'     => __( 'Published posts without a summary (not counting refused ones): %d', 'ringkas' ),
				/* translators: 1: summaries written, 2: posts failed, 3: posts in the job */
				'progress'    => __( '%1$d written, %2$d failed, of %3$d', 'ringkas' ),
				'statuses'    => array(
					'running'   => __( 'running', 'ringkas' ),
					'finished'  => __( 'finished', 'ringkas' ),
					'cancelled' => __( 'cancelled', 'ringkas' ),
				),
				'started'     => __( 'The archive job was sent to Ringkas.', 'ringkas' ),
				'running'     => __( 'A job is already running: it is followed, not started again.', 'ringkas' ),
				'nothing'     => __( 'Every published post already has a summary (or was refused as it is).', 'ringkas' ),
				'failedStart' => __( 'The job could not be sent.', 'ringkas' ),
				'cancelled'   => __( 'The job was cancelled; finished summaries were kept.', 'ringkas' ),
				'unreachable' => __( 'This page cannot reach WordPress right now; it keeps trying.', 'ringkas' ),
				'failedPosts' => __( 'Posts that failed', 'ringkas' ),
				'doNotRetry'  => __( 'Refused by the service: not sent again until the post is edited.', 'ringkas' ),
			)
		);
		?>
		<div class="wrap" id="ringkas-archive">
			<h1><?php esc_html_e( 'Ringkas archive', 'ringkas' ); ?></h1>
			<p><?php esc_html_e( 'Summarizes every published post of the chosen types that has no summary yet, as one job at the Ringkas service. You can leave this page: the job goes on, and WP-Cron writes the summaries as they finish.', 'ringkas' ); ?></p>
			<div id="ringkas-notices" aria-live="polite"></div>
			<p id="ringkas-pending"></p>
			<div id="ringkas-job" hidden>
				<progress id="ringkas-bar" max="1" value="0" style="width: 30em; max-width: 100%;"></progress>
				<p id="ringkas-progress"></p>
			</div>
			<p>
				<button type="button" class="button button-primary" id="ringkas-start"><?php esc_html_e( 'Summarize the archive', 'ringkas' ); ?></button>
				<button type="button" class="button" id="ringkas-cancel" style="display: none"><?php esc_html_e( 'Cancel the job', 'ringkas' ); ?></button>
			</p>
			<div id="ringkas-failures" hidden>
				<h2><?php esc_html_e( 'Posts that failed', 'ringkas' ); ?></h2>
				<ul id="ringkas-failure-list"></ul>
			</div>
		</div>
		<?php
	}
}
