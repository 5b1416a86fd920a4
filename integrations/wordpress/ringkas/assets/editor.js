/* The block editor's "Ringkas" panel (Post sidebar). Plain JavaScript on WordPress's own wp.*
 * packages, no build step. It calls the plugin's REST route (the wp_rest nonce rides with
 * wp.apiFetch); PHP calls Ringkas with the key. The post changes only when the editor clicks an
 * action, and a failure leaves the content and the excerpt as they were. */
( function ( wp ) {
	'use strict';
	const { createElement: h, useState, useEffect } = wp.element;
	const { Button, Notice, Spinner } = wp.components;
	const { useSelect, useDispatch } = wp.data;
	const words = window.ringkasEditor;

	// The same fingerprint as Ringkas_Summaries::hash (FNV-1a over the trimmed content's UTF-8 bytes).
	function fingerprint( content ) {
		let hash = 0x811c9dc5;
		for ( const byte of new TextEncoder().encode( content.trim() ) ) {
			hash ^= byte;
			hash = Math.imul( hash, 0x01000193 ) >>> 0;
		}
		return hash.toString( 16 ).padStart( 8, '0' );
	}

	function Technical( { detail } ) {
		if ( ! detail ) {
			return null;
		}
		return h( 'details', { className: 'ringkas-technical' }, h( 'summary', null, words.technical ), h( 'p', { lang: 'en' }, detail ) );
	}

	function Panel() {
		const { postId, content } = useSelect( ( select ) => ( {
			postId: select( 'core/editor' ).getCurrentPostId(),
			content: select( 'core/editor' ).getEditedPostContent(),
		} ) );
		const { editPost } = useDispatch( 'core/editor' );
		const { insertBlocks } = useDispatch( 'core/block-editor' );
		const [ view, setView ] = useState( null );
		const [ busy, setBusy ] = useState( false );
		const [ problem, setProblem ] = useState( null );
		const [ told, setTold ] = useState( '' );
		const [ copied, setCopied ] = useState( false );

		useEffect( () => {
			if ( postId ) {
				wp.apiFetch( { path: `/ringkas/v1/summary/${ postId }` } ).then( setView ).catch( () => {} );
			}
		}, [ postId ] );

		function make() {
			setProblem( null );
			setTold( '' );
			if ( ! wp.blocks || ! content.replace( /<[^>]*>/g, '' ).trim() ) {
				setProblem( { message: words.empty } );
				return;
			}
			setBusy( true );
			wp.apiFetch( { path: '/ringkas/v1/summarize', method: 'POST', data: { post_id: postId, content } } )
				.then( ( answer ) => setView( answer ) )
				.catch( ( error ) => setProblem( { message: error.message, detail: error.data && error.data.detail } ) )
				.finally( () => setBusy( false ) );
		}

		function useAsExcerpt() {
			editPost( { excerpt: view.summary } );
			setTold( words.excerptDone );
		}

		function insertFirst() {
			const paragraph = wp.blocks.createBlock( 'core/paragraph', { content: wp.escapeHtml.escapeHTML( view.summary ) } );
			insertBlocks( paragraph, 0 );
		}

		function copy() {
			navigator.clipboard.writeText( view.summary ).then( () => {
				setCopied( true );
				setTimeout( () => setCopied( false ), 1500 );
			} );
		}

		const has = view && view.summary;
		const stale = has && view.source_hash && view.source_hash !== fingerprint( content );
		const children = [];
		if ( problem ) {
			children.push(
				h( Notice, { status: 'error', isDismissible: false, key: 'problem' },
					h( 'p', null, problem.message ),
					problem.detail === undefined ? null : h( 'p', null, words.failed ),
					h( Technical, { detail: problem.detail } ) )
			);
		}
		if ( view && view.error && ! has ) {
			children.push( h( Notice, { status: 'warning', isDismissible: false, key: 'background' }, `${ words.background } ${ view.error }` ) );
		}
		if ( has ) {
			if ( stale ) {
				children.push( h( Notice, { status: 'warning', isDismissible: false, key: 'stale' }, words.stale ) );
			}
			children.push( h( 'h3', { key: 'sh' }, words.summary ) );
			children.push( h( 'p', { key: 's', className: 'ringkas-summary', lang: 'id' }, view.summary ) );
			if ( view.translation ) {
				children.push( h( 'h3', { key: 'th' }, words.translation ) );
				children.push( h( 'p', { key: 't', className: 'ringkas-translation', lang: 'en' }, view.translation ) );
			}
			for ( const [ i, warning ] of ( view.warnings || [] ).entries() ) {
				children.push( h( 'p', { key: 'w' + i, className: 'ringkas-warning' }, warning ) );
			}
			if ( view.made_at ) {
				children.push( h( 'p', { key: 'm', className: 'ringkas-made' }, words.madeAt.replace( '%s', new Date( view.made_at ).toLocaleString() ) ) );
			}
			children.push(
				h( 'div', { key: 'actions', className: 'ringkas-actions' },
					h( Button, { variant: 'secondary', onClick: useAsExcerpt }, words.excerpt ),
					h( Button, { variant: 'tertiary', onClick: copy }, copied ? words.copied : words.copy ),
					h( Button, { variant: 'tertiary', onClick: insertFirst }, words.insert ) )
			);
			if ( told ) {
				children.push( h( 'p', { key: 'told', role: 'status' }, told ) );
			}
		}
		children.push(
			h( 'p', { key: 'make' },
				h( Button, { variant: 'primary', onClick: make, disabled: busy, 'aria-busy': busy }, busy ? words.working : has ? words.remake : words.make ),
				busy ? h( Spinner, null ) : null )
		);
		return h( wp.editPost.PluginDocumentSettingPanel, { name: 'ringkas-panel', title: words.title, className: 'ringkas-panel' }, children );
	}

	wp.plugins.registerPlugin( 'ringkas', { render: Panel, icon: 'text' } );
} )( window.wp );
